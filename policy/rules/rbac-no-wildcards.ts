import { rulesOf, isRole, WILDCARD } from '../rbac/rbac.ts';
import type { PolicyRule } from '../types.ts';
import { listOf } from '../workload/pod-sites.ts';

const FIELDS = ['verbs', 'resources', 'apiGroups', 'nonResourceURLs'] as const;

export const rbacNoWildcards: PolicyRule = {
  id: 'rbac-no-wildcards',
  description: 'No Role or ClusterRole rule uses "*" in verbs, resources, apiGroups or nonResourceURLs: every permission is spelled out.',
  *check(context) {
    for (const role of context.objects) {
      if (!isRole(role)) continue;
      for (const { rule, path } of rulesOf(role)) {
        for (const field of FIELDS) {
          const values = listOf(rule[field]);
          const wild = values.filter((v) => v === WILDCARD || v.startsWith(`${WILDCARD}/`) || v.endsWith(`/${WILDCARD}`));
          if (wild.length === 0) continue;
          yield { object: role, path: `${path}.${field}`, message: `${field} contains ${wild.map((w) => `"${w}"`).join(', ')}, which also grants whatever is added to the cluster later; list exactly the ${field} needed` };
        }
      }
    }
  },
};
