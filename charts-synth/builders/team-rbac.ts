/**
 * Team-namespace identities: the sandboxes' ServiceAccount (no token, no permissions) and the
 * RoleBinding that lets the runtime controller claim sandboxes in this namespace only.
 */
import type { KubeObject } from '../kube-object.ts';
import { MANAGED_BY_LABELS, PADDOCK_SYSTEM_NAMESPACE, RUNTIME_NAME, SANDBOX_SERVICE_ACCOUNT } from '../../config/names.ts';
import type { TeamSpec } from '../../config/platform-spec.ts';
import { serviceAccount } from './service-account.ts';

/** ClusterRole defined by the runtime chart; bound per namespace, never cluster-wide. */
export const RUNTIME_SANDBOX_CLAIMS_ROLE = 'paddock-runtime-sandbox-claims';

/**
 * The verbs the runtime's claim client uses on sandboxclaims (POST, GET, LIST, WATCH, PUT,
 * DELETE) and nothing else: no patch, no deletecollection, nothing on Sandboxes or Pods.
 */
export const RUNTIME_CLAIM_VERBS = ['create', 'delete', 'get', 'list', 'update', 'watch'] as const;

export function sandboxServiceAccount(team: TeamSpec): KubeObject {
  return serviceAccount(team.namespace, SANDBOX_SERVICE_ACCOUNT, { ...MANAGED_BY_LABELS }, false);
}

export function runtimeRoleBinding(team: TeamSpec): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: RUNTIME_NAME, namespace: team.namespace, labels: { ...MANAGED_BY_LABELS } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: RUNTIME_SANDBOX_CLAIMS_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: RUNTIME_NAME, namespace: PADDOCK_SYSTEM_NAMESPACE }],
  };
}
