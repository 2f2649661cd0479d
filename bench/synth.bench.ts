/**
 * `npm run bench:synth`: time to validate, synthesise, policy-check and render a stack of
 * 10, 100 and 1000 teams (median of several runs). Targets (issue 2): 1000 teams < 3 s on a
 * 2-core machine, and t(1000)/t(100) <= 12.
 */
import { buildStackOutput } from '../charts-synth/stack-output.ts';
import { validatePlatformConfig } from '../config/validate.ts';
import { loadHarnessRegistry } from '../harnesses/registry.ts';
import { manyTeamsConfig } from '../test/support/fixtures.ts';

const registry = loadHarnessRegistry();

function once(teams: number): number {
  const config = manyTeamsConfig(teams);
  const start = performance.now();
  const spec = validatePlatformConfig(config, { file: `bench-${teams}`, stack: `bench-${teams}`, registry });
  const output = buildStackOutput(spec);
  let bytes = 0;
  for (const content of output.files.values()) bytes += content.length;
  if (bytes === 0) throw new Error('nothing rendered');
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

once(10); // warm-up: module loading and JIT
const results = new Map<number, number>();
for (const [teams, runs] of [[10, 7], [100, 5], [1000, 3]] as const) {
  const times = Array.from({ length: runs }, () => once(teams));
  results.set(teams, median(times));
  console.log(`${String(teams).padStart(5)} teams: median ${median(times).toFixed(0).padStart(6)} ms over ${runs} runs (${times.map((t) => t.toFixed(0)).join(', ')})`);
}
const t1000 = results.get(1000)!;
const ratio = t1000 / results.get(100)!;
console.log(`target 1000 teams < 3000 ms: ${t1000.toFixed(0)} ms ${t1000 < 3000 ? 'MET' : 'MISSED'}`);
console.log(`target t(1000)/t(100) <= 12: ${ratio.toFixed(1)} ${ratio <= 12 ? 'MET' : 'MISSED'}`);
