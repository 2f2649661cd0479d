/**
 * Sets of (protocol, port) as sorted, disjoint intervals per protocol: what a NetworkPolicy
 * rule's `ports` admit, and the intersection of what egress and ingress both admit.
 */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

type Interval = readonly [number, number];

export class PortSet {
  private constructor(private readonly intervals: Readonly<Record<Protocol, readonly Interval[]>>) {}

  static readonly EMPTY = new PortSet({ TCP: [], UDP: [], SCTP: [] });
  static readonly ALL = new PortSet({ TCP: [[MIN_PORT, MAX_PORT]], UDP: [[MIN_PORT, MAX_PORT]], SCTP: [[MIN_PORT, MAX_PORT]] });

  static range(protocol: Protocol, from: number, to: number = from): PortSet {
    const low = Math.max(MIN_PORT, from);
    const high = Math.min(MAX_PORT, to);
    if (low > high) return PortSet.EMPTY;
    return new PortSet({ ...PortSet.EMPTY.intervals, [protocol]: [[low, high]] });
  }

  static allOf(protocol: Protocol): PortSet {
    return PortSet.range(protocol, MIN_PORT, MAX_PORT);
  }

  isEmpty(): boolean {
    return PROTOCOLS.every((p) => this.intervals[p].length === 0);
  }

  isAll(): boolean {
    return PROTOCOLS.every((p) => {
      const list = this.intervals[p];
      return list.length === 1 && list[0]![0] === MIN_PORT && list[0]![1] === MAX_PORT;
    });
  }

  has(protocol: Protocol, port: number): boolean {
    return this.intervals[protocol].some(([low, high]) => low <= port && port <= high);
  }

  /** True when the two sets share a port (no allocation: the pairwise check calls this a lot). */
  intersects(other: PortSet): boolean {
    for (const protocol of PROTOCOLS) {
      for (const [a0, a1] of this.intervals[protocol]) {
        for (const [b0, b1] of other.intervals[protocol]) if (a0 <= b1 && b0 <= a1) return true;
      }
    }
    return false;
  }

  union(other: PortSet): PortSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const merged = {} as Record<Protocol, Interval[]>;
    for (const protocol of PROTOCOLS) {
      const all = [...this.intervals[protocol], ...other.intervals[protocol]].sort((a, b) => a[0] - b[0]);
      const out: Interval[] = [];
      for (const [low, high] of all) {
        const last = out.at(-1);
        if (last && low <= last[1] + 1) out[out.length - 1] = [last[0], Math.max(last[1], high)];
        else out.push([low, high]);
      }
      merged[protocol] = out;
    }
    return new PortSet(merged);
  }

  intersect(other: PortSet): PortSet {
    const result = {} as Record<Protocol, Interval[]>;
    for (const protocol of PROTOCOLS) {
      const out: Interval[] = [];
      for (const [a0, a1] of this.intervals[protocol]) {
        for (const [b0, b1] of other.intervals[protocol]) {
          const low = Math.max(a0, b0);
          const high = Math.min(a1, b1);
          if (low <= high) out.push([low, high]);
        }
      }
      result[protocol] = out.sort((a, b) => a[0] - b[0]);
    }
    return new PortSet(result);
  }

  /** The lowest (protocol, port) in the set: a concrete example for messages. */
  first(): { protocol: Protocol; port: number } | undefined {
    for (const protocol of PROTOCOLS) {
      const interval = this.intervals[protocol][0];
      if (interval) return { protocol, port: interval[0] };
    }
    return undefined;
  }

  /** "TCP/443, UDP/53", "TCP/8000-8100", "all ports" */
  toString(): string {
    if (this.isAll()) return 'all ports';
    if (this.isEmpty()) return 'no ports';
    return PROTOCOLS.flatMap((protocol) =>
      this.intervals[protocol].map(([low, high]) =>
        low === MIN_PORT && high === MAX_PORT ? `${protocol}/any` : `${protocol}/${low === high ? low : `${low}-${high}`}`,
      ),
    ).join(', ');
  }
}
