import { PADDOCK_SYSTEM_NAMESPACE, RUNTIME_NAME } from '../../config/names.ts';
import { isKind, KINDS } from '../kinds.ts';
import { BUILT_IN_SECRET_GRANTING_ROLES, coversResource, isBinding, isServiceAccountSubject, resolveRoleRef, roleRefOf, rulesOf, subjectsOf } from '../rbac/rbac.ts';
import type { PolicyRule } from '../types.ts';

/** The agent-sandbox resources the runtime works with. */
export const SANDBOX_RESOURCES: readonly { readonly group: string; readonly resource: string }[] = [
  { group: 'extensions.agents.x-k8s.io', resource: 'sandboxclaims' },
  { group: 'extensions.agents.x-k8s.io', resource: 'sandboxwarmpools' },
  { group: 'extensions.agents.x-k8s.io', resource: 'sandboxtemplates' },
  { group: 'agents.x-k8s.io', resource: 'sandboxes' },
];

export const runtimeRbacTeamScoped: PolicyRule = {
  id: 'runtime-rbac-team-scoped',
  description: `The runtime (ServiceAccount ${PADDOCK_SYSTEM_NAMESPACE}/${RUNTIME_NAME}) gets SandboxClaim and Sandbox permissions only through RoleBindings in team namespaces: never a ClusterRoleBinding, never a RoleBinding elsewhere.`,
  *check(context) {
    for (const binding of context.objects) {
      if (!isBinding(binding)) continue;
      if (!subjectsOf(binding).some((s) => isServiceAccountSubject(s, PADDOCK_SYSTEM_NAMESPACE, RUNTIME_NAME, binding.metadata.namespace))) continue;
      const ref = roleRefOf(binding);
      const role = resolveRoleRef(binding, context);
      const grantsSandboxes = role
        ? rulesOf(role).some(({ rule }) => SANDBOX_RESOURCES.some((r) => coversResource(rule, r.group, r.resource)))
        : ref !== undefined && BUILT_IN_SECRET_GRANTING_ROLES.includes(ref.name);
      const clusterWide = isKind(binding, KINDS.ClusterRoleBinding);
      if (clusterWide && !role) {
        yield {
          object: binding,
          path: 'roleRef',
          message: `binds the runtime to ClusterRole ${ref?.name ?? '(none)'}, which the stack does not define, cluster-wide; its permissions cannot be checked, so grant what the runtime needs with Roles in team namespaces`,
        };
        continue;
      }
      if (!grantsSandboxes) continue;
      if (clusterWide) {
        yield { object: binding, path: 'roleRef', message: `grants the runtime sandbox permissions in every namespace; bind them with a RoleBinding in each team namespace instead` };
      } else if (!context.isTeamNamespace(binding.metadata.namespace ?? 'default')) {
        yield {
          object: binding,
          path: 'metadata.namespace',
          message: `grants the runtime sandbox permissions in ${binding.metadata.namespace ?? 'default'}, which is not a team namespace; only team namespaces hold sandboxes`,
        };
      }
    }
  },
};
