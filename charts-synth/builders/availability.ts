/**
 * Availability of multi-replica platform components: spread over nodes and zones (their
 * PodDisruptionBudgets come from charts-synth/workloads/pod-disruption-budget.ts).
 */
import type { ITopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';

export interface SpreadOptions {
  /** Refuse to co-locate replicas on one node (DoNotSchedule) rather than merely prefer not to. */
  readonly requireDistinctNodes: boolean;
}

export function spreadOverNodesAndZones(selector: Record<string, string>, options: SpreadOptions): ITopologySpreadConstraint[] {
  return [
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: options.requireDistinctNodes ? 'DoNotSchedule' : 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } } },
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } } },
  ];
}
