import { describe, expect, it } from 'vitest';
import { compareQuantities, formatCpu, formatMemory, isQuantity, parseQuantity } from '../../config/quantity.ts';

describe('quantities', () => {
  it('parses CPU and memory suffixes to base units', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1.5G')).toBe(1.5e9);
    expect(parseQuantity('128Mi')).toBe(128 * 2 ** 20);
    expect(parseQuantity('1e3')).toBe(1000);
  });

  it('rejects what Kubernetes rejects', () => {
    for (const bad of ['', 'lots', '1GB', '-1', '1 Gi', 'Gi']) expect(isQuantity(bad), bad).toBe(false);
    expect(() => parseQuantity('1GB')).toThrow('"1GB" is not a Kubernetes quantity');
  });

  it('compares without float noise', () => {
    expect(compareQuantities('0.1', '100m')).toBe(0);
    expect(compareQuantities('1Gi', '1G')).toBe(1);
    expect(compareQuantities('250m', '1')).toBe(-1);
  });

  it('formats canonically', () => {
    expect(formatCpu(0.25)).toBe('250m');
    expect(formatCpu(6)).toBe('6');
    expect(formatMemory(12 * 2 ** 30)).toBe('12Gi');
    expect(formatMemory(1536 * 2 ** 20)).toBe('1536Mi');
  });
});
