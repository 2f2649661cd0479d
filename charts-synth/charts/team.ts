/** Everything one team owns, in its own namespace: rendered to team-<name>.k8s.yaml. */
import type { KubeObject } from '../kube-object.ts';
import { TEAM_LABEL } from '../../config/names.ts';
import type { PlatformSpec, TeamSpec } from '../../config/platform-spec.ts';
import { teamLimitRange } from '../builders/limit-range.ts';
import { restrictedNamespace } from '../builders/namespace.ts';
import { teamResourceQuota } from '../builders/resource-quota.ts';
import { sandboxTemplate, sandboxWarmPool } from '../builders/sandbox-template.ts';
import { teamNetworkPolicies } from '../builders/team-network-policies.ts';
import { runtimeRoleBinding, sandboxServiceAccount } from '../builders/team-rbac.ts';

export function teamObjects(spec: PlatformSpec, team: TeamSpec): KubeObject[] {
  return [
    restrictedNamespace(team.namespace, { [TEAM_LABEL]: team.name }),
    teamResourceQuota(team),
    teamLimitRange(team),
    ...teamNetworkPolicies(team, spec.platform),
    sandboxServiceAccount(team),
    runtimeRoleBinding(team),
    ...team.harnesses.flatMap((h) => [sandboxTemplate(team, h, spec.platform.modelGateway), sandboxWarmPool(team, h)]),
  ];
}
