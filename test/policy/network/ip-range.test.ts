import { describe, expect, it } from 'vitest';
import { formatAddress, intersectIntervals, intervalContains, intervalContainsAddress, intervalsOverlap, parseIpAddress, parseIpRange, subtractIntervals } from '../../../policy/network/ip-range.ts';

const r = (text: string) => parseIpRange(text)!;

describe('parseIpRange', () => {
  it('parses IPv4 and IPv6 CIDRs and bare addresses', () => {
    expect(r('10.0.0.0/8')).toMatchObject({ family: 4, start: 0x0a000000n, end: 0x0affffffn });
    expect(r('169.254.169.254')).toMatchObject({ family: 4, start: 0xa9fea9fen, end: 0xa9fea9fen });
    expect(r('0.0.0.0/0')).toMatchObject({ start: 0n, end: 0xffffffffn });
    expect(r('::/0')).toMatchObject({ family: 6, start: 0n, end: (1n << 128n) - 1n });
    expect(r('fd00:ec2::254')).toMatchObject({ family: 6, start: 0xfd000ec2000000000000000000000254n });
    expect(r('fc00::/7')).toMatchObject({ start: 0xfc00n << 112n, end: (0xfe00n << 112n) - 1n });
    expect(r('::ffff:10.0.0.1')).toMatchObject({ start: 0xffff0a000001n });
  });

  it('masks host bits like a network address', () => {
    expect(r('10.1.2.3/8')).toMatchObject({ start: 0x0a000000n, end: 0x0affffffn, text: '10.1.2.3/8' });
  });

  it.each(['10.0.0.0/33', '256.0.0.0/8', '10.0.0/8', 'fe80::/129', '1::2::3', 'hello', '10.0.0.0/8/1', '12345::/16', ''])('rejects %s', (text) => {
    expect(parseIpRange(text)).toBeUndefined();
  });
});

describe('interval arithmetic', () => {
  it('tells containment and overlap apart, and never mixes families', () => {
    expect(intervalContains(r('10.0.0.0/8'), r('10.244.0.0/16'))).toBe(true);
    expect(intervalContains(r('10.244.0.0/16'), r('10.0.0.0/8'))).toBe(false);
    expect(intervalsOverlap(r('10.244.0.0/16'), r('10.0.0.0/8'))).toBe(true);
    expect(intervalsOverlap(r('10.0.0.0/8'), r('11.0.0.0/8'))).toBe(false);
    expect(intervalsOverlap(r('0.0.0.0/0'), r('::/0'))).toBe(false);
    expect(intervalContainsAddress(r('169.254.0.0/16'), parseIpAddress('169.254.169.254')!)).toBe(true);
  });

  it('subtracts except lists exactly', () => {
    const left = subtractIntervals(r('0.0.0.0/0'), [r('10.0.0.0/8'), r('169.254.169.254/32')]);
    expect(left.map((i) => `${formatAddress(4, i.start)}-${formatAddress(4, i.end)}`)).toEqual([
      '0.0.0.0-9.255.255.255',
      '11.0.0.0-169.254.169.253',
      '169.254.169.255-255.255.255.255',
    ]);
    expect(subtractIntervals(r('10.0.0.0/8'), [r('0.0.0.0/0')])).toEqual([]);
    expect(intersectIntervals(r('10.0.0.0/8'), r('10.96.0.0/12'))).toMatchObject({ start: r('10.96.0.0/12').start, end: r('10.96.0.0/12').end });
  });

  it('formats IPv6 addresses compactly', () => {
    expect(formatAddress(6, r('fd00:ec2::254').start)).toBe('fd00:ec2::254');
    expect(formatAddress(6, 0n)).toBe('::');
    expect(formatAddress(6, r('1:0:0:2:0:0:0:3').start)).toBe('1:0:0:2::3');
  });
});
