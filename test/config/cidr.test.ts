import { describe, expect, it } from 'vitest';
import { cidrContains, cidrsOverlap, isCidr, parseCidr } from '../../config/cidr.ts';

const c = (text: string) => {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`bad test cidr ${text}`);
  return parsed;
};

describe('IPv4 CIDRs', () => {
  it('accepts network addresses only', () => {
    expect(isCidr('10.0.0.0/8')).toBe(true);
    expect(isCidr('0.0.0.0/0')).toBe(true);
    expect(isCidr('169.254.169.254/32')).toBe(true);
    expect(isCidr('10.0.0.1/8')).toBe(false);
    expect(isCidr('256.0.0.0/8')).toBe(false);
    expect(isCidr('10.0.0.0/33')).toBe(false);
    expect(isCidr('10.0.0.0')).toBe(false);
  });

  it('answers containment and overlap', () => {
    expect(cidrContains(c('0.0.0.0/0'), c('169.254.0.0/16'))).toBe(true);
    expect(cidrContains(c('10.0.0.0/16'), c('10.0.5.0/24'))).toBe(true);
    expect(cidrContains(c('10.0.5.0/24'), c('10.0.0.0/16'))).toBe(false);
    expect(cidrContains(c('10.0.0.0/16'), c('10.1.0.0/24'))).toBe(false);
    expect(cidrsOverlap(c('10.0.5.0/24'), c('10.0.0.0/16'))).toBe(true);
    expect(cidrsOverlap(c('192.168.0.0/16'), c('10.0.0.0/8'))).toBe(false);
  });
});
