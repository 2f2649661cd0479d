/**
 * SandboxClaim (extensions.agents.x-k8s.io/v1beta1): a request for a Sandbox from a warm pool.
 * v1beta1 claims reach their template only through the pool, so `warmPoolRef` is required.
 */
import { conditionsSchema } from './conditions.ts';
import { agentSandboxCrd, ageColumn, EXTENSIONS_GROUP, readyConditionColumns, type CustomResourceDefinitionObject } from './custom-resource-definition.ts';
import { podTemplateMetadataSchema } from './object-metadata.ts';
import { volumeClaimTemplatesSchema } from './persistent-volume-claim.ts';
import { localObjectReferenceSchema, type StructuralSchema } from './structural-schema.ts';

function sandboxClaimSpecSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      additionalPodMetadata: podTemplateMetadataSchema(),
      env: {
        type: 'array',
        // literal values only: a claim cannot reference Secrets or ConfigMaps
        items: {
          type: 'object',
          properties: { containerName: { type: 'string' }, name: { type: 'string' }, value: { type: 'string' } },
          required: ['name', 'value'],
        },
        'x-kubernetes-list-type': 'atomic',
      },
      lifecycle: {
        type: 'object',
        properties: {
          shutdownPolicy: { type: 'string', default: 'Retain', enum: ['Delete', 'DeleteForeground', 'Retain'] },
          shutdownTime: { type: 'string', format: 'date-time' },
          ttlSecondsAfterFinished: { type: 'integer', format: 'int32', minimum: 0 },
        },
      },
      volumeClaimTemplates: volumeClaimTemplatesSchema(),
      warmPoolRef: localObjectReferenceSchema(),
    },
    required: ['warmPoolRef'],
  };
}

function sandboxClaimStatusSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      conditions: conditionsSchema(),
      // the adopted Sandbox: a warm one keeps its generated name, never assume the claim's
      sandbox: { type: 'object', properties: { name: { type: 'string' }, podIPs: { type: 'array', items: { type: 'string' } } } },
    },
  };
}

export function sandboxClaimCrd(): CustomResourceDefinitionObject {
  const { ready, reason } = readyConditionColumns();
  return agentSandboxCrd({
    group: EXTENSIONS_GROUP,
    names: { kind: 'SandboxClaim', listKind: 'SandboxClaimList', plural: 'sandboxclaims', shortNames: ['sandboxclaim'], singular: 'sandboxclaim' },
    spec: sandboxClaimSpecSchema(),
    status: sandboxClaimStatusSchema(),
    printerColumns: [ready, { jsonPath: '.status.sandbox.name', name: 'Sandbox', type: 'string' }, reason, ageColumn()],
    subresources: { status: {} },
  });
}
