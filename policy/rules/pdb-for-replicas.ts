import type { IPodDisruptionBudgetSpec } from 'kubernetes-models/policy/v1/PodDisruptionBudgetSpec';
import { describeObject, type KubeObject } from '../../charts-synth/kube-object.ts';
import { KINDS } from '../kinds.ts';
import { matchesSelector } from '../network/label-selector.ts';
import type { PolicyRule } from '../types.ts';

type IntOrPercent = number | string | undefined;

/** Pods an IntOrString stands for out of `total` (percentages round up, as the disruption controller does). */
function countOf(value: IntOrPercent, total: number): number | undefined {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  return match ? Math.ceil((Number(match[1]) * total) / 100) : undefined;
}

/** Why a PDB can never let a pod be evicted, or undefined when it can. */
export function blocksEveryEviction(spec: IPodDisruptionBudgetSpec, replicas: number): string | undefined {
  const maxUnavailable = countOf(spec.maxUnavailable, replicas);
  if (maxUnavailable !== undefined && maxUnavailable < 1) return `maxUnavailable ${String(spec.maxUnavailable)} allows no disruption`;
  const minAvailable = countOf(spec.minAvailable, replicas);
  if (minAvailable !== undefined && minAvailable >= replicas) return `minAvailable ${String(spec.minAvailable)} of ${replicas} replicas allows no disruption`;
  return undefined;
}

export const pdbForReplicas: PolicyRule = {
  id: 'pdb-for-replicas',
  description: 'Every component with more than one replica has a PodDisruptionBudget selecting its pods that still lets node drains evict one of them.',
  *check(context) {
    const budgets = new Map<string, KubeObject[]>();
    for (const pdb of context.ofKind(KINDS.PodDisruptionBudget)) {
      const ns = pdb.metadata.namespace ?? 'default';
      budgets.set(ns, [...(budgets.get(ns) ?? []), pdb]);
    }
    for (const site of context.podSites()) {
      if (site.replicas === undefined || site.replicas <= 1) continue;
      const matching = (budgets.get(site.namespace) ?? []).filter((pdb) => {
        const selector = (pdb.spec as IPodDisruptionBudgetSpec | undefined)?.selector;
        return selector !== undefined && matchesSelector(selector, site.labels);
      });
      if (matching.length === 0) {
        yield {
          object: site.object,
          path: 'spec.replicas',
          message: `runs ${site.replicas} replicas but no PodDisruptionBudget selects its pods, so a node drain may evict them all at once; add one (e.g. maxUnavailable: 1) whose selector matches ${site.specPath.replace(/\.spec$/, '.metadata.labels')}`,
        };
        continue;
      }
      for (const pdb of matching) {
        const reason = blocksEveryEviction((pdb.spec ?? {}) as IPodDisruptionBudgetSpec, site.replicas);
        if (reason) yield { object: site.object, path: 'spec.replicas', message: `${describeObject(pdb)} ${reason}, so node drains hang; use maxUnavailable: 1` };
      }
    }
  },
};
