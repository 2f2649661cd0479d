/**
 * A PodDisruptionBudget for a cdk8s-plus workload. cdk8s-plus-30 has no PDB construct, so this
 * is its generated L1 (`k8s.KubePodDisruptionBudget`); the selector is read from the workload,
 * so the budget always covers exactly the pods the workload selects.
 */
import * as kplus from 'cdk8s-plus-30';
import { PlatformChart } from '../platform-chart.ts';

/** How many pods voluntary disruptions (drains, upgrades) must leave, or may take. */
export type DisruptionAllowance = { readonly minAvailable: number } | { readonly maxUnavailable: number };

export function addPodDisruptionBudget(
  workload: kplus.Deployment | kplus.StatefulSet,
  labels: Readonly<Record<string, string>>,
  allowance: DisruptionAllowance,
): kplus.k8s.KubePodDisruptionBudget {
  const namespace = workload.metadata.namespace;
  const where = `PodDisruptionBudget ${namespace ?? ''}/${workload.name}`;
  const matchLabels = workload.matchLabels;
  if (Object.keys(matchLabels).length === 0 || workload.matchExpressions.length > 0) {
    throw new Error(`${where}: select the ${workload.kind}'s pods by labels first (selectPodsByLabels)`);
  }
  const count = 'minAvailable' in allowance ? allowance.minAvailable : allowance.maxUnavailable;
  if (!Number.isInteger(count) || count < 0) throw new Error(`${where}: ${Object.keys(allowance)[0]} must be a whole number >= 0, got ${count}`);
  const scope = workload.node.scope;
  if (!scope) throw new Error(`${where}: the ${workload.kind} is not in a chart`);
  return new kplus.k8s.KubePodDisruptionBudget(scope, PlatformChart.constructIdOf('PodDisruptionBudget', namespace, workload.name), {
    metadata: { name: workload.name, namespace, labels: { ...labels } },
    spec: {
      ...('minAvailable' in allowance ? { minAvailable: kplus.k8s.IntOrString.fromNumber(count) } : { maxUnavailable: kplus.k8s.IntOrString.fromNumber(count) }),
      selector: { matchLabels },
    },
  });
}
