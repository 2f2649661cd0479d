import { matchesSelector, type LabelSelector } from '../network/label-selector.ts';
import { podRule } from '../workload/pod-rule.ts';
import { listOf } from '../workload/pod-sites.ts';

interface AffinityTerm {
  labelSelector?: LabelSelector;
}

export const spreadForReplicas = podRule(
  {
    id: 'spread-for-replicas',
    description: 'Every component with more than one replica spreads its pods across nodes or zones: a topologySpreadConstraint or pod anti-affinity term whose selector matches its own pods.',
  },
  function* (site) {
    if (site.replicas === undefined || site.replicas <= 1) return;
    const selectsSelf = (selector: LabelSelector | undefined) => selector !== undefined && matchesSelector(selector, site.labels);
    const spread = listOf(site.spec.topologySpreadConstraints).some((c) => selectsSelf(c.labelSelector));
    const anti = site.spec.affinity?.podAntiAffinity;
    const antiTerms: AffinityTerm[] = [
      ...listOf(anti?.requiredDuringSchedulingIgnoredDuringExecution),
      ...listOf(anti?.preferredDuringSchedulingIgnoredDuringExecution).map((w) => w.podAffinityTerm),
    ];
    if (spread || antiTerms.some((t) => selectsSelf(t.labelSelector))) return;
    yield {
      path: `${site.specPath}.topologySpreadConstraints`,
      message: `runs ${site.replicas} replicas that may all land on one node; add a topologySpreadConstraint (topologyKey kubernetes.io/hostname) or a pod anti-affinity term whose labelSelector matches the pod labels`,
    };
  },
);
