/** Order statistics for the bench's samples (nearest-rank percentiles). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // rounded first: 99.9 / 100 * 1000 is 999.0000000000001 in floating point, whose ceiling would skip a rank
  const rank = Math.ceil(Number(((p / 100) * sorted.length).toFixed(9)));
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

export const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;
