/**
 * The EKS version table and supportState(version, today), on fixed days, the boundary days
 * included: AWS counts a version out of standard support from the start (UTC) of the day its
 * standard support ends, and unsupported from the start of the day its extended support ends.
 */
import { describe, expect, it } from 'vitest';
import { daysUntil, isIsoDay, utcDay } from '../../../config/versions/calendar.ts';
import { DEFAULT_EKS_KUBERNETES_VERSION, EKS_KUBERNETES_VERSIONS, knownEksVersions, supportState, upgradeSupportType } from '../../../config/versions/eks-kubernetes-versions.ts';

const at = (iso: string) => new Date(iso);

describe('supportState', () => {
  it('is standard until the last moment before the end of standard support (UTC)', () => {
    expect(supportState('1.35', at('2026-12-04T12:00:00Z'))).toBe('standard');
    expect(supportState('1.35', at('2027-03-26T23:59:59.999Z'))).toBe('standard');
    expect(supportState('1.35', at('2027-03-27T00:00:00Z'))).toBe('extended');
  });

  it('is extended until the last moment before the end of extended support, then unsupported', () => {
    expect(supportState('1.35', at('2028-03-26T23:59:59Z'))).toBe('extended');
    expect(supportState('1.35', at('2028-03-27T00:00:00Z'))).toBe('unsupported');
  });

  it('reads the UTC day, not the local one: 23:30 at UTC-5 is already the next day', () => {
    expect(supportState('1.34', at('2026-12-01T23:30:00-05:00'))).toBe('extended');
    expect(supportState('1.34', at('2026-12-01T23:30:00+00:00'))).toBe('standard');
  });

  it('places the issue\'s versions as the EKS calendar does on 2026-12-04', () => {
    const today = at('2026-12-04T00:00:00Z');
    expect(Object.fromEntries(knownEksVersions().map((v) => [v, supportState(v, today)]))).toEqual({
      '1.30': 'unsupported', // extended support ended July 2026
      '1.31': 'unsupported', // ... November 2026
      '1.32': 'extended',
      '1.33': 'extended',
      '1.34': 'extended',
      '1.35': 'standard',
      '1.36': 'unknown', // on EKS, but its dates are not confirmed
    });
  });

  it('is unknown for a version the table does not have, or a prototype key', () => {
    expect(supportState('1.29', at('2026-12-04T00:00:00Z'))).toBe('unknown');
    expect(supportState('toString', at('2026-12-04T00:00:00Z'))).toBe('unknown');
  });
});

describe('the table', () => {
  it('has valid, ordered dates (extended support ends 12 months after standard) and a source for every line', () => {
    for (const [version, entry] of Object.entries(EKS_KUBERNETES_VERSIONS)) {
      expect(entry.source, version).not.toBe('');
      if (entry.standardSupportEnd === undefined || entry.extendedSupportEnd === undefined) continue;
      expect(isIsoDay(entry.standardSupportEnd), version).toBe(true);
      expect(isIsoDay(entry.extendedSupportEnd), version).toBe(true);
      const months = (Date.parse(entry.extendedSupportEnd) - Date.parse(entry.standardSupportEnd)) / 86_400_000 / 30.4;
      expect(Math.round(months), version).toBe(12);
    }
  });

  it('defaults to a version in standard support with an EBS CSI add-on recorded', () => {
    expect(DEFAULT_EKS_KUBERNETES_VERSION).toBe('1.35');
    expect(supportState(DEFAULT_EKS_KUBERNETES_VERSION, at('2026-12-04T00:00:00Z'))).toBe('standard');
    expect(EKS_KUBERNETES_VERSIONS[DEFAULT_EKS_KUBERNETES_VERSION]!.ebsCsiAddon).not.toBe('');
  });
});

describe('upgradeSupportType', () => {
  it('is STANDARD in standard support, EXTENDED in extended support, and has no answer otherwise', () => {
    expect(upgradeSupportType('standard')).toBe('STANDARD');
    expect(upgradeSupportType('extended')).toBe('EXTENDED');
    expect(() => upgradeSupportType('unsupported')).toThrow('no upgrade policy for a Kubernetes version whose support state is "unsupported"');
    expect(() => upgradeSupportType('unknown')).toThrow('"unknown"');
  });
});

describe('calendar helpers', () => {
  it('counts whole UTC days and rejects impossible dates', () => {
    expect(utcDay(at('2026-12-04T23:59:59Z'))).toBe('2026-12-04');
    expect(daysUntil('2027-03-27', at('2026-12-04T18:00:00Z'))).toBe(113);
    expect(daysUntil('2026-12-02', at('2026-12-04T00:00:00Z'))).toBe(-2);
    expect(isIsoDay('2027-02-29')).toBe(false);
    expect(isIsoDay('2028-02-29')).toBe(true);
    expect(() => utcDay(new Date('not a date'))).toThrow('invalid date');
  });
});
