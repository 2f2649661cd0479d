import { isBinding, roleRefOf, subjectsOf } from '../rbac/rbac.ts';
import type { PolicyRule } from '../types.ts';

export const rbacNoClusterAdmin: PolicyRule = {
  id: 'rbac-no-cluster-admin',
  description: 'No RoleBinding or ClusterRoleBinding grants the cluster-admin ClusterRole, and none adds a subject to the system:masters group.',
  *check(context) {
    for (const binding of context.objects) {
      if (!isBinding(binding)) continue;
      const ref = roleRefOf(binding);
      if (ref?.kind === 'ClusterRole' && ref.name === 'cluster-admin') {
        yield { object: binding, path: 'roleRef', message: 'binds cluster-admin, which can do anything anywhere; bind a Role with only the verbs and resources the subject needs' };
      }
      for (const [index, subject] of subjectsOf(binding).entries()) {
        if (subject.kind === 'Group' && subject.name === 'system:masters') {
          yield { object: binding, path: `subjects[${index}]`, message: 'binds the group system:masters, whose members bypass RBAC entirely; bind the individual subjects that need access' };
        }
      }
    }
  },
};
