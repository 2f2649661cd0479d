import { isKind, KINDS } from '../kinds.ts';
import { BUILT_IN_SECRET_GRANTING_ROLES, coversResource, isBinding, resolveRoleRef, roleRefOf, rulesOf } from '../rbac/rbac.ts';
import type { PolicyRule } from '../types.ts';
import { listOf } from '../workload/pod-sites.ts';

/** Verbs that resourceNames cannot restrict (the name is unknown when they are authorized). */
const UNRESTRICTABLE_VERBS = ['create', 'deletecollection', '*'];

export const rbacSecretsAccess: PolicyRule = {
  id: 'rbac-secrets-access',
  description:
    'Access to Secrets is granted only by namespaced Roles, only to the named Secrets (resourceNames) and only with verbs resourceNames restricts; never in a ClusterRole, never through the built-in admin/edit/cluster-admin roles.',
  *check(context) {
    for (const role of context.ofKind(KINDS.ClusterRole)) {
      for (const { rule, path } of rulesOf(role)) {
        if (coversResource(rule, '', 'secrets')) {
          yield { object: role, path, message: 'a ClusterRole grants access to Secrets, which any ClusterRoleBinding turns into every Secret of the cluster; move the rule to a Role in the namespace that holds the Secret, with resourceNames' };
        }
      }
    }
    for (const role of context.ofKind(KINDS.Role)) {
      for (const { rule, path } of rulesOf(role)) {
        if (!coversResource(rule, '', 'secrets')) continue;
        if (listOf(rule.resourceNames).length === 0) {
          yield { object: role, path, message: 'grants access to every Secret in the namespace; list the Secrets needed in resourceNames' };
          continue;
        }
        const loose = listOf(rule.verbs).filter((v) => UNRESTRICTABLE_VERBS.includes(v));
        if (loose.length > 0) {
          yield { object: role, path: `${path}.verbs`, message: `verbs ${loose.join(', ')} on Secrets ignore resourceNames and apply to every Secret in the namespace; remove them (create Secrets with Pulumi, not from the cluster)` };
        }
      }
    }
    for (const binding of context.objects) {
      if (!isBinding(binding)) continue;
      const ref = roleRefOf(binding);
      if (ref?.kind !== 'ClusterRole' || !BUILT_IN_SECRET_GRANTING_ROLES.includes(ref.name) || resolveRoleRef(binding, context)) continue;
      // cluster-admin itself is reported by rbac-no-cluster-admin
      if (ref.name === 'cluster-admin') continue;
      yield {
        object: binding,
        path: 'roleRef',
        message: `binds the built-in ClusterRole ${ref.name}, which reads and writes every Secret ${isKind(binding, KINDS.ClusterRoleBinding) ? 'of the cluster' : 'of the namespace'}; bind a Role with only what is needed`,
      };
    }
  },
};
