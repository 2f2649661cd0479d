/**
 * What every runtime benchmark returns: figures, each with its target and verdict, printed as
 * one table. A figure without a verdict is context (printed, never failing).
 */
export interface Figure {
  readonly name: string;
  readonly value: string;
  readonly target?: string;
  /** undefined: informational */
  readonly pass?: boolean;
  /** a line under the row: how it was measured */
  readonly note?: string;
}

export interface BenchResult {
  readonly title: string;
  readonly figures: readonly Figure[];
  /** lines printed above the table: the method, in the bench's own words */
  readonly method?: readonly string[];
}

const verdict = (f: Figure) => (f.pass === undefined ? '' : f.pass ? 'PASS' : 'FAIL');

export function formatReport(results: readonly BenchResult[], header: string): string {
  const rows = results.flatMap((r) => r.figures.map((f) => [r.title, f.name, f.value, f.target ?? '-', verdict(f)] as const));
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[['bench', 'figure', 'value', 'target'][i]!.length, ...rows.map((row) => row[i]!.length)]));
  const line = (cells: readonly string[]) => `  ${cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  ')}`.trimEnd();
  const out = [header, ''];
  for (const r of results) for (const m of r.method ?? []) out.push(`  [${r.title}] ${m}`);
  out.push('', line(['bench', 'figure', 'value', 'target', 'result']), line(widths.map((w) => '-'.repeat(w)).concat('------')));
  for (const r of results) {
    for (const f of r.figures) {
      out.push(line([r.title, f.name, f.value, f.target ?? '-', verdict(f)]));
      if (f.note) out.push(`  ${''.padEnd(widths[0]!)}  ${f.note}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export const allPassed = (results: readonly BenchResult[]) => results.every((r) => r.figures.every((f) => f.pass !== false));
