/** Sandbox (agents.x-k8s.io/v1beta1): one Pod, its PVCs and optionally a headless Service. */
import { conditionsSchema } from './conditions.ts';
import { agentSandboxCrd, ageColumn, AGENTS_GROUP, readyConditionColumns, type CustomResourceDefinitionObject } from './custom-resource-definition.ts';
import { volumeClaimTemplatesSchema } from './persistent-volume-claim.ts';
import { podTemplateSchema } from './pod-template.ts';
import type { StructuralSchema } from './structural-schema.ts';

/** PVCs are created once per Sandbox; changing the templates afterwards would be silently ignored. */
export const VOLUME_CLAIM_TEMPLATES_IMMUTABLE_RULE =
  'has(self.volumeClaimTemplates) == has(oldSelf.volumeClaimTemplates) && (!has(self.volumeClaimTemplates) || self.volumeClaimTemplates == oldSelf.volumeClaimTemplates)';

function sandboxSpecSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      operatingMode: { type: 'string', default: 'Running', enum: ['Running', 'Suspended'] },
      podTemplate: podTemplateSchema(),
      service: { type: 'boolean' },
      shutdownPolicy: { type: 'string', default: 'Retain', enum: ['Delete', 'Retain'] },
      shutdownTime: { type: 'string', format: 'date-time' },
      volumeClaimTemplates: volumeClaimTemplatesSchema(),
    },
    required: ['podTemplate'],
    'x-kubernetes-validations': [{ message: 'volumeClaimTemplates is immutable', rule: VOLUME_CLAIM_TEMPLATES_IMMUTABLE_RULE }],
  };
}

function sandboxStatusSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      conditions: conditionsSchema(),
      nodeName: { type: 'string' },
      podIPs: { type: 'array', items: { type: 'string' } },
      selector: { type: 'string' },
      service: { type: 'string' },
      serviceFQDN: { type: 'string' },
    },
  };
}

export function sandboxCrd(): CustomResourceDefinitionObject {
  const { ready, reason } = readyConditionColumns();
  return agentSandboxCrd({
    group: AGENTS_GROUP,
    names: { kind: 'Sandbox', listKind: 'SandboxList', plural: 'sandboxes', shortNames: ['sandbox'], singular: 'sandbox' },
    spec: sandboxSpecSchema(),
    status: sandboxStatusSchema(),
    printerColumns: [ready, reason, ageColumn()],
    subresources: { status: {} },
  });
}
