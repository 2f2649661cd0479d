import { describe, expect, it } from 'vitest';
import { PortSet } from '../../../policy/network/port-set.ts';

describe('PortSet', () => {
  it('unions and intersects per protocol', () => {
    const web = PortSet.range('TCP', 80).union(PortSet.range('TCP', 443));
    const dns = PortSet.range('UDP', 53).union(PortSet.range('TCP', 53));
    expect(web.union(dns).toString()).toBe('TCP/53, TCP/80, TCP/443, UDP/53');
    expect(web.intersect(dns).isEmpty()).toBe(true);
    expect(PortSet.range('TCP', 8000, 9000).intersect(PortSet.range('TCP', 8080)).toString()).toBe('TCP/8080');
    expect(PortSet.range('TCP', 1, 100).union(PortSet.range('TCP', 101, 200)).toString()).toBe('TCP/1-200');
  });

  it('knows all, empty, first and membership', () => {
    expect(PortSet.ALL.isAll()).toBe(true);
    expect(PortSet.ALL.toString()).toBe('all ports');
    expect(PortSet.EMPTY.first()).toBeUndefined();
    expect(PortSet.range('UDP', 53).first()).toEqual({ protocol: 'UDP', port: 53 });
    expect(PortSet.allOf('SCTP').has('SCTP', 9)).toBe(true);
    expect(PortSet.allOf('SCTP').has('TCP', 9)).toBe(false);
    expect(PortSet.range('TCP', 10, 5).isEmpty()).toBe(true);
  });
});
