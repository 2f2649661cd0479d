import { describe, expect, it } from 'vitest';
import { median, percentile } from '../../../bench/support/stats.ts';

describe('percentile (nearest rank)', () => {
  const thousand = Array.from({ length: 1_000 }, (_, i) => 1_000 - i); // 1000..1, unsorted on purpose

  it('picks the sample at rank ceil(p/100 * n)', () => {
    expect(percentile(thousand, 50)).toBe(500);
    expect(percentile(thousand, 99)).toBe(990);
    expect(percentile(thousand, 99.9)).toBe(999);
    expect(percentile(thousand, 100)).toBe(1_000);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('p99.9 of fewer than 1,000 samples is the maximum, and no samples give NaN', () => {
    expect(percentile([5, 9, 1], 99.9)).toBe(9);
    expect(percentile([], 50)).toBeNaN();
  });

  it('does not reorder the caller\'s samples', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });
});
