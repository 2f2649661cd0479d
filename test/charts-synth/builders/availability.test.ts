import { describe, expect, it } from 'vitest';
import { TopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';
import { spreadOverNodesAndZones } from '../../../charts-synth/builders/availability.ts';

describe('spreadOverNodesAndZones', () => {
  it('spreads over nodes (required or preferred) and prefers distinct zones', () => {
    const required = spreadOverNodesAndZones({ app: 'x' }, { requireDistinctNodes: true });
    expect(required.map((c) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew])).toEqual([
      ['kubernetes.io/hostname', 'DoNotSchedule', 1],
      ['topology.kubernetes.io/zone', 'ScheduleAnyway', 1],
    ]);
    expect(required.every((c) => c.labelSelector?.matchLabels?.app === 'x')).toBe(true);
    const preferred = spreadOverNodesAndZones({ app: 'x' }, { requireDistinctNodes: false });
    expect(preferred[0]!.whenUnsatisfiable).toBe('ScheduleAnyway');
    for (const c of [...required, ...preferred]) expect(() => new TopologySpreadConstraint(c).validate()).not.toThrow();
  });

  it('does not share the selector object with the caller', () => {
    const selector = { app: 'x' };
    const [constraint] = spreadOverNodesAndZones(selector, { requireDistinctNodes: true });
    constraint!.labelSelector!.matchLabels!.app = 'changed';
    expect(selector.app).toBe('x');
  });
});
