/**
 * SandboxTemplate (extensions.agents.x-k8s.io/v1beta1): the pod template, PVCs and network
 * policy a warm pool or claim instantiates. Upstream gives it no status and no subresources.
 */
import { agentSandboxCrd, EXTENSIONS_GROUP, type CustomResourceDefinitionObject } from './custom-resource-definition.ts';
import { sandboxNetworkPolicySchema } from './network-policy-rules.ts';
import { volumeClaimTemplatesSchema } from './persistent-volume-claim.ts';
import { podTemplateSchema } from './pod-template.ts';
import type { StructuralSchema } from './structural-schema.ts';

function sandboxTemplateSpecSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      envVarsInjectionPolicy: { type: 'string', default: 'Disallowed', enum: ['Allowed', 'Overrides', 'Disallowed'] },
      networkPolicy: sandboxNetworkPolicySchema(),
      networkPolicyManagement: { type: 'string', default: 'Managed', enum: ['Managed', 'Unmanaged'] },
      podTemplate: podTemplateSchema(),
      service: { type: 'boolean' },
      volumeClaimTemplates: volumeClaimTemplatesSchema(),
      volumeClaimTemplatesPolicy: { type: 'string', default: 'Disallowed', enum: ['Disallowed', 'Allowed', 'Overrides'] },
    },
    required: ['podTemplate'],
  };
}

export function sandboxTemplateCrd(): CustomResourceDefinitionObject {
  return agentSandboxCrd({
    group: EXTENSIONS_GROUP,
    names: { kind: 'SandboxTemplate', listKind: 'SandboxTemplateList', plural: 'sandboxtemplates', shortNames: ['sandboxtemplate'], singular: 'sandboxtemplate' },
    spec: sandboxTemplateSpecSchema(),
  });
}
