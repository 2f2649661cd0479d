/**
 * IPv4 and IPv6 address ranges as inclusive [start, end] intervals of bigints, so NetworkPolicy
 * `ipBlock`s (with their `except` lists) can be compared exactly against the addresses a sandbox
 * must never reach. IPv6 matters: `::/0` would otherwise hide the AWS metadata endpoint fd00:ec2::254.
 */
export type IpFamily = 4 | 6;

export interface IpInterval {
  readonly family: IpFamily;
  readonly start: bigint;
  readonly end: bigint;
}

export interface IpRange extends IpInterval {
  /** as written, e.g. "10.0.0.0/8" */
  readonly text: string;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256n + BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let v4Tail: bigint | undefined;
  // an embedded IPv4 tail ("::ffff:10.0.0.1") stands for the last two groups
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    v4Tail = parseIpv4(text.slice(lastColon + 1));
    if (v4Tail === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = groupsOf(halves[0] ?? '');
  const right = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) + BigInt(`0x${group}`);
  }
  if (v4Tail !== undefined) value = (value & ~0xffffffffn) | v4Tail;
  return value;
}

/** A single address ("169.254.169.254", "fd00:ec2::254"), or undefined. */
export function parseIpAddress(text: string): { family: IpFamily; value: bigint } | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const value = parseIpv6(trimmed);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(trimmed);
  return value === undefined ? undefined : { family: 4, value };
}

/**
 * "a.b.c.d/n", "x::/n" or a bare address (a /32 or /128). Host bits are masked off, as the
 * API server's own CIDR parsing would reject them anyway. Undefined when not an address.
 */
export function parseIpRange(text: string): IpRange | undefined {
  const [addressText, prefixText, ...rest] = text.trim().split('/');
  if (addressText === undefined || rest.length > 0) return undefined;
  const address = parseIpAddress(addressText);
  if (!address) return undefined;
  const bits = BITS[address.family];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const start = (address.value >> hostBits) << hostBits;
  const end = start + (1n << hostBits) - 1n;
  return { family: address.family, start, end, text };
}

export function intervalContains(outer: IpInterval, inner: IpInterval): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

export function intervalsOverlap(a: IpInterval, b: IpInterval): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

export function intervalContainsAddress(interval: IpInterval, address: { family: IpFamily; value: bigint }): boolean {
  return interval.family === address.family && interval.start <= address.value && address.value <= interval.end;
}

/** What remains of `base` once every range of `minus` is removed (sorted, disjoint). */
export function subtractIntervals(base: IpInterval, minus: readonly IpInterval[]): IpInterval[] {
  let remaining: IpInterval[] = [{ family: base.family, start: base.start, end: base.end }];
  for (const cut of minus) {
    if (cut.family !== base.family) continue;
    const next: IpInterval[] = [];
    for (const piece of remaining) {
      if (!intervalsOverlap(piece, cut)) {
        next.push(piece);
        continue;
      }
      if (piece.start < cut.start) next.push({ family: piece.family, start: piece.start, end: cut.start - 1n });
      if (cut.end < piece.end) next.push({ family: piece.family, start: cut.end + 1n, end: piece.end });
    }
    remaining = next;
  }
  return remaining;
}

/** The part of `a` that lies in `b`, if any. */
export function intersectIntervals(a: IpInterval, b: IpInterval): IpInterval | undefined {
  if (!intervalsOverlap(a, b)) return undefined;
  return { family: a.family, start: a.start > b.start ? a.start : b.start, end: a.end < b.end ? a.end : b.end };
}

/** Dotted / colon notation of an address, for messages. */
export function formatAddress(family: IpFamily, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes "::"
  let best = { at: -1, length: 1 };
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
}
