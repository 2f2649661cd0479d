/** Every rule the policy runs, in the order of the checklist (docs list them from here). */
import type { PolicyRule } from '../types.ts';
import { containerResources } from './container-resources.ts';
import { crossTeamIsolation } from './cross-team-isolation.ts';
import { defaultDenyNetworkPolicy } from './default-deny-network-policy.ts';
import { dropAllCapabilities } from './drop-all-capabilities.ts';
import { imagePinned } from './image-pinned.ts';
import { livenessReadinessProbes } from './liveness-readiness-probes.ts';
import { namespaceExists } from './namespace-exists.ts';
import { noHostNamespaces } from './no-host-namespaces.ts';
import { noHostPorts } from './no-host-ports.ts';
import { noLiteralSecretEnv } from './no-literal-secret-env.ts';
import { noPrivilegeEscalation } from './no-privilege-escalation.ts';
import { noPrivileged } from './no-privileged.ts';
import { noSecretValues } from './no-secret-values.ts';
import { noServiceAccountToken } from './no-service-account-token.ts';
import { nonZeroRunAsUser } from './non-zero-run-as-user.ts';
import { pdbForReplicas } from './pdb-for-replicas.ts';
import { podSecurityRestricted } from './pod-security-restricted.ts';
import { rbacNoClusterAdmin } from './rbac-no-cluster-admin.ts';
import { rbacNoWildcards } from './rbac-no-wildcards.ts';
import { rbacSecretsAccess } from './rbac-secrets-access.ts';
import { readOnlyRootFilesystem } from './read-only-root-filesystem.ts';
import { restrictedVolumeTypes } from './restricted-volume-types.ts';
import { runAsNonRoot } from './run-as-non-root.ts';
import { runtimeRbacTeamScoped } from './runtime-rbac-team-scoped.ts';
import { safeKernelOptions } from './safe-kernel-options.ts';
import { sandboxEgressRestricted } from './sandbox-egress-restricted.ts';
import { seccompProfile } from './seccomp-profile.ts';
import { spreadForReplicas } from './spread-for-replicas.ts';
import { teamLimitRange } from './team-limit-range.ts';
import { teamNetworkAllows } from './team-network-allows.ts';
import { teamResourceQuota } from './team-resource-quota.ts';

export const RULES: readonly PolicyRule[] = [
  // pods
  runAsNonRoot,
  nonZeroRunAsUser,
  noPrivilegeEscalation,
  dropAllCapabilities,
  seccompProfile,
  readOnlyRootFilesystem,
  noPrivileged,
  noHostNamespaces,
  noHostPorts,
  restrictedVolumeTypes,
  safeKernelOptions,
  containerResources,
  imagePinned,
  livenessReadinessProbes,
  noServiceAccountToken,
  noLiteralSecretEnv,
  // namespaces and isolation
  namespaceExists,
  podSecurityRestricted,
  defaultDenyNetworkPolicy,
  teamResourceQuota,
  teamLimitRange,
  sandboxEgressRestricted,
  teamNetworkAllows,
  crossTeamIsolation,
  // RBAC
  rbacNoWildcards,
  rbacNoClusterAdmin,
  rbacSecretsAccess,
  runtimeRbacTeamScoped,
  // availability
  pdbForReplicas,
  spreadForReplicas,
  // secrets
  noSecretValues,
];
