import { describe, expect, it } from 'vitest';
import { allPassed, formatReport, type BenchResult } from '../../../bench/support/report.ts';

const results: BenchResult[] = [
  { title: 'ingest', method: ['how it was measured'], figures: [{ name: 'rate', value: '10 events/s' }, { name: 'ratio', value: '12 %', target: '>= 80 %', pass: false, note: 'CPU per event ...' }] },
  { title: 'scale', figures: [{ name: 'errors', value: '0', target: '0', pass: true }] },
];

describe('the benchmark report', () => {
  it('prints every figure with its value, target and verdict, methods and notes included', () => {
    const text = formatReport(results, 'header line');
    const lines = text.split('\n');
    expect(lines[0]).toBe('header line');
    expect(text).toContain('[ingest] how it was measured');
    expect(lines.find((l) => l.includes('ratio'))).toMatch(/ingest\s+ratio\s+12 %\s+>= 80 %\s+FAIL$/);
    expect(lines.find((l) => l.includes('errors'))).toMatch(/scale\s+errors\s+0\s+0\s+PASS$/);
    // an informational figure has no verdict
    expect(lines.find((l) => l.includes('10 events/s'))).toMatch(/10 events\/s\s+-$/);
    expect(text).toContain('CPU per event ...');
  });

  it('fails the run when any figure misses its target, and only then', () => {
    expect(allPassed(results)).toBe(false);
    expect(allPassed([results[1]!, { title: 'x', figures: [{ name: 'info', value: '1' }] }])).toBe(true);
  });
});
