/**
 * `npm run bench:runtime`: the runtime's benchmarks, each measuring a hard path against its
 * target (ADR 0020), printed as one table with PASS/FAIL; exits 1 when a target is missed.
 *   npm run bench:runtime                        every benchmark
 *   npm run bench:runtime -- --only cold,scale   some of them: ingest, warm, cold, first, recovery, scale, tracing
 *   npm run bench:runtime -- --quick             small sizes, for developing the benchmarks
 * Each benchmark gets a fresh database on one embedded Postgres with durable settings, and its
 * own sandbox farm; the runtime runs as a child process (bench/support/runtime-child.ts).
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ingestBenchmark } from './runtime/ingest.bench.ts';
import { recoveryBenchmark } from './runtime/recovery.bench.ts';
import { scaleBenchmark } from './runtime/scale.bench.ts';
import { tracingOverheadBenchmark } from './runtime/tracing-overhead.bench.ts';
import { turnOverheadBenchmark, type OverheadSeries } from './runtime/turn-overhead.bench.ts';
import { withBenchContext, type RuntimeBenchmark } from './support/bench-context.ts';
import { commitLatency } from './support/commit-latency.ts';
import { allPassed, formatReport, type BenchResult } from './support/report.ts';

const NAMES = ['ingest', 'warm', 'cold', 'first', 'recovery', 'scale', 'tracing'] as const;
type Name = (typeof NAMES)[number];

const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const only = values.only === undefined ? [...NAMES] : values.only.split(',').map((s) => s.trim());
const unknown = only.filter((n) => !(NAMES as readonly string[]).includes(n));
if (unknown.length > 0) {
  process.stderr.write(`bench:runtime: --only: unknown benchmark(s) ${unknown.join(', ')}; known: ${NAMES.join(', ')}\n`);
  process.exit(2);
}
const selected = new Set(only as Name[]);

const benchmarks: RuntimeBenchmark[] = [];
if (selected.has('ingest')) benchmarks.push(ingestBenchmark);
const series = (['warm', 'cold', 'first'] as const).filter((s): s is OverheadSeries => selected.has(s));
if (series.length > 0) benchmarks.push(turnOverheadBenchmark(series));
if (selected.has('recovery')) benchmarks.push(recoveryBenchmark);
if (selected.has('scale')) benchmarks.push(scaleBenchmark);
if (selected.has('tracing')) benchmarks.push(tracingOverheadBenchmark);

const loadAtStart = loadavg();
let commits = '';
const results: BenchResult[] = await withBenchContext(values.quick, async (ctx) => {
  const { db } = await ctx.freshDatabase();
  const probe = async () => {
    const c = await commitLatency(db);
    return `p50 ${c.p50.toFixed(2)} ms / p99 ${c.p99.toFixed(2)} ms`;
  };
  const atStart = await probe();
  const out: BenchResult[] = [];
  for (const benchmark of benchmarks) {
    // a benchmark that cannot finish is a miss, reported with why; the others still run
    out.push(await benchmark.run(ctx).catch((error: Error) => ({ title: benchmark.name, figures: [{ name: 'did not finish', value: error.message, target: 'finishes', pass: false }] })));
  }
  commits = `one durable commit took ${atStart} at start, ${await probe()} at end`;
  return out;
});
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
process.stdout.write(formatReport(results, `Paddock runtime benchmark${values.quick ? ' (--quick: small sizes, not comparable)' : ''}: ${availableParallelism()} cores, load average ${load(loadAtStart)} at start, ${load(loadavg())} at end; ${commits}`));
process.exitCode = allPassed(results) ? 0 : 1;
