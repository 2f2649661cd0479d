import { describe, expect, it } from 'vitest';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { TopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';
import { podDisruptionBudget, spreadOverNodesAndZones } from '../../../charts-synth/builders/availability.ts';

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

describe('podDisruptionBudget', () => {
  it('keeps all but one replica available', () => {
    const pdb = podDisruptionBudget('ns', 'c', { l: 'v' }, { app: 'c' }, 3);
    expect(pdb.spec).toEqual({ minAvailable: 2, selector: { matchLabels: { app: 'c' } } });
    expect(pdb.metadata).toEqual({ name: 'c', namespace: 'ns', labels: { l: 'v' } });
    expect(() => new PodDisruptionBudget(pdb as never).validate()).not.toThrow();
  });

  it('refuses a single replica, which a PDB would either pin or not protect', () => {
    expect(() => podDisruptionBudget('ns', 'c', {}, { app: 'c' }, 1)).toThrow('PodDisruptionBudget ns/c: needs at least 2 replicas, got 1');
  });
});
