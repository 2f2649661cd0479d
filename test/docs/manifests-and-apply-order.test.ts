/**
 * What README.md says is in manifests/<stack>/ and what docs/deploying.md says about the
 * apply order are read from the docs and compared with the charts the stacks synthesize, the
 * committed files and the waves the Pulumi program applies them in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLUSTER_BOOTSTRAP_CHART, synthesizeStack } from '../../charts-synth/synthesize.ts';
import { planApply } from '../../infra/kubernetes/apply-plan.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { SHIPPED_STACKS, shippedSpec } from '../support/fixtures.ts';

interface DocumentedChart {
  readonly name: string;
  /** the environment the chart exists in, when not both */
  readonly only?: 'kind' | 'eks';
}

/** "`crds`, `postgres` on kind, `team-<name>`" → charts; "on kind" / "(kind only)" and "on EKS" / "(EKS only)" mark the environment. */
function documentedCharts(text: string): DocumentedChart[] {
  return [...text.matchAll(/`([a-z<>-]+)`(?:\s+on (kind|EKS)\b|\s+\((kind|EKS) only\))?/g)].map((m) => {
    const only = (m[2] ?? m[3])?.toLowerCase() as 'kind' | 'eks' | undefined;
    return only ? { name: m[1]!, only } : { name: m[1]! };
  });
}

/** Documented names for a stack: charts of the other environment dropped, `team-<name>` expanded to the stack's teams. */
function forStack(charts: readonly DocumentedChart[], spec: PlatformSpec): string[] {
  return charts
    .filter((c) => c.only === undefined || c.only === spec.platform.environment)
    .flatMap((c) => (c.name === 'team-<name>' ? spec.teams.map((t) => `team-${t.name}`) : [c.name]))
    .sort();
}

/** README: "one file per chart (...)". */
function readmeManifestFiles(readme: string): DocumentedChart[] {
  const list = /one file per chart \(([^)]*)\)/.exec(readme.replace(/\s+/g, ' '));
  if (!list) throw new Error('README.md: no "one file per chart (...)" list');
  return documentedCharts(list[1]!);
}

/** docs/deploying.md: the numbered list after "applies the charts ... in waves". */
function documentedWaves(doc: string): DocumentedChart[][] {
  const start = doc.search(/applies the charts of `manifests\/local\/` in\s+waves/);
  if (start < 0) throw new Error('docs/deploying.md: no "applies the charts of `manifests/local/` in waves" paragraph');
  const lines = doc.slice(start).split('\n');
  const first = lines.findIndex((l) => /^\d+\. /.test(l));
  const items: string[] = [];
  for (const line of lines.slice(first)) {
    if (/^\d+\. /.test(line)) items.push(line);
    else if (/^\s+\S/.test(line) && items.length > 0) items[items.length - 1] += ` ${line.trim()}`;
    else break;
  }
  return items.map((item) => documentedCharts(item.replace(/^\d+\. /, '').split(':')[0]!));
}

/**
 * The charts in the order the program applies them (infra/platform.ts): on EKS the cluster
 * bootstrap chart with the cluster itself, then the others in the waves of the apply plan.
 */
function appliedWaves(spec: PlatformSpec): string[][] {
  const charts = synthesizeStack(spec);
  const bootstrap = charts.filter((c) => c.name === CLUSTER_BOOTSTRAP_CHART).map((c) => c.name);
  const steps = planApply(charts.filter((c) => c.name !== CLUSTER_BOOTSTRAP_CHART), []);
  const waves = new Map<number, Set<string>>();
  for (const step of steps) waves.set(step.wave, (waves.get(step.wave) ?? new Set()).add(step.chart));
  const ordered = [...waves.entries()].sort(([a], [b]) => a - b).map(([, names]) => [...names].sort());
  return bootstrap.length > 0 ? [bootstrap, ...ordered] : ordered;
}

const readme = readFileSync('README.md', 'utf8');
const deploying = readFileSync('docs/deploying.md', 'utf8');

describe.each(SHIPPED_STACKS)('docs against stack %s', (stack) => {
  const spec = shippedSpec(stack);

  it('README lists exactly the files of manifests/<stack>/, one per chart', () => {
    const documented = forStack(readmeManifestFiles(readme), spec);
    const committed = readdirSync(`manifests/${stack}`).filter((f) => f.endsWith('.k8s.yaml')).map((f) => f.replace(/\.k8s\.yaml$/, '')).sort();
    expect(documented).toEqual(committed);
    expect(documented).toEqual(synthesizeStack(spec).map((c) => c.name).sort());
  });

  it('docs/deploying.md gives the apply order of the program\'s waves', () => {
    const documented = documentedWaves(deploying).map((wave) => forStack(wave, spec)).filter((wave) => wave.length > 0);
    expect(documented).toEqual(appliedWaves(spec));
  });
});

describe('reading the docs', () => {
  it('reads a chart list with kind-only and EKS-only entries and a team template', () => {
    expect(documentedCharts('`crds`, `postgres` on kind, `team-<name>`, `x` (kind only), `y` on EKS, `z` (EKS only)')).toEqual([
      { name: 'crds' },
      { name: 'postgres', only: 'kind' },
      { name: 'team-<name>' },
      { name: 'x', only: 'kind' },
      { name: 'y', only: 'eks' },
      { name: 'z', only: 'eks' },
    ]);
  });

  it('reads a numbered list of waves, continuation lines included', () => {
    const doc = 'It applies the charts of `manifests/local/` in\nwaves:\n\n1. `crds`: the CRDs;\n2. `a`, `b`: two\n   charts, `not-this`: no;\n3. `c` (kind only): last.\n\nAfter.\n4. `d`: not in the list';
    expect(documentedWaves(doc).map((w) => w.map((c) => c.name))).toEqual([['crds'], ['a', 'b'], ['c']]);
  });
});
