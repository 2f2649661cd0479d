/**
 * SandboxTemplate and SandboxWarmPool per team harness. The controller's per-template
 * NetworkPolicy is Unmanaged: the team's namespace policies (reviewed in PRs, checked by the
 * policy module) are the only rules, because a Managed policy would add allowances next to
 * ours (NetworkPolicies are additive). See ADR 0002.
 */
import type { KubeObject } from '../kube-object.ts';
import { MANAGED_BY_LABELS, HARNESS_LABEL, sandboxTemplateName, warmPoolName } from '../../config/names.ts';
import type { ModelGatewaySpec, TeamHarnessSpec, TeamSpec } from '../../config/platform-spec.ts';
import { assertValidPodTemplate } from './object-validation.ts';
import { sandboxPodTemplate, WORKSPACE_VOLUME } from './sandbox-pod-template.ts';

export const EXTENSIONS_API_VERSION = 'extensions.agents.x-k8s.io/v1beta1';

export function sandboxTemplate(team: TeamSpec, harness: TeamHarnessSpec, gateway: ModelGatewaySpec): KubeObject {
  const name = sandboxTemplateName(harness.name);
  const podTemplate = sandboxPodTemplate(team, harness, gateway);
  assertValidPodTemplate(`SandboxTemplate ${team.namespace}/${name}`, podTemplate);
  return {
    apiVersion: EXTENSIONS_API_VERSION,
    kind: 'SandboxTemplate',
    metadata: { name, namespace: team.namespace, labels: { ...MANAGED_BY_LABELS, [HARNESS_LABEL]: harness.name } },
    spec: {
      podTemplate,
      volumeClaimTemplates: [
        { metadata: { name: WORKSPACE_VOLUME }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: harness.definition.workspace.size } } } },
      ],
      service: false,
      networkPolicyManagement: 'Unmanaged',
      envVarsInjectionPolicy: 'Disallowed',
      volumeClaimTemplatesPolicy: 'Disallowed',
    },
  };
}

export function sandboxWarmPool(team: TeamSpec, harness: TeamHarnessSpec): KubeObject {
  return {
    apiVersion: EXTENSIONS_API_VERSION,
    kind: 'SandboxWarmPool',
    metadata: { name: warmPoolName(harness.name), namespace: team.namespace, labels: { ...MANAGED_BY_LABELS, [HARNESS_LABEL]: harness.name } },
    spec: {
      replicas: harness.warmPool,
      sandboxTemplateRef: { name: sandboxTemplateName(harness.name) },
      // Unclaimed sandboxes are replaced at once when the template changes (e.g. an image fix).
      updateStrategy: { type: 'Recreate' },
    },
  };
}
