/**
 * Availability of multi-replica platform components: spread over nodes and zones, and a
 * PodDisruptionBudget so voluntary disruptions (node drains, upgrades) keep one pod running.
 */
import type { ITopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';
import type { KubeObject } from '../kube-object.ts';

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

/**
 * A PDB keeping all but one replica available. Only for replicas > 1: with one replica a
 * PDB either blocks every node drain (minAvailable 1) or protects nothing.
 */
export function podDisruptionBudget(namespace: string, name: string, labels: Record<string, string>, selector: Record<string, string>, replicas: number): KubeObject {
  if (!Number.isInteger(replicas) || replicas < 2) throw new Error(`PodDisruptionBudget ${namespace}/${name}: needs at least 2 replicas, got ${replicas}`);
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace, labels: { ...labels } },
    spec: { minAvailable: replicas - 1, selector: { matchLabels: { ...selector } } },
  };
}
