/**
 * SandboxWarmPool (extensions.agents.x-k8s.io/v1beta1): pre-started Sandboxes from one
 * template. The scale subresource lets `kubectl scale` and autoscalers size the pool.
 */
import { agentSandboxCrd, ageColumn, EXTENSIONS_GROUP, type CustomResourceDefinitionObject } from './custom-resource-definition.ts';
import { localObjectReferenceSchema, type StructuralSchema } from './structural-schema.ts';

function sandboxWarmPoolSpecSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      replicas: { type: 'integer', default: 1, format: 'int32', minimum: 0 },
      sandboxTemplateRef: localObjectReferenceSchema(),
      updateStrategy: {
        type: 'object',
        // OnReplenish keeps stale members until claimed; Recreate replaces them at once
        properties: { type: { type: 'string', default: 'OnReplenish', enum: ['Recreate', 'OnReplenish'] } },
      },
    },
    required: ['sandboxTemplateRef'],
  };
}

function sandboxWarmPoolStatusSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
      readyReplicas: { type: 'integer', format: 'int32' },
      replicas: { type: 'integer', format: 'int32' },
      selector: { type: 'string' },
    },
  };
}

export function sandboxWarmPoolCrd(): CustomResourceDefinitionObject {
  return agentSandboxCrd({
    group: EXTENSIONS_GROUP,
    names: { kind: 'SandboxWarmPool', listKind: 'SandboxWarmPoolList', plural: 'sandboxwarmpools', shortNames: ['swp'], singular: 'sandboxwarmpool' },
    spec: sandboxWarmPoolSpecSchema(),
    status: sandboxWarmPoolStatusSchema(),
    printerColumns: [
      { jsonPath: '.status.readyReplicas', name: 'Ready', type: 'integer' },
      { jsonPath: '.spec.replicas', name: 'Desired', type: 'integer' },
      ageColumn(),
    ],
    subresources: { scale: { labelSelectorPath: '.status.selector', specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' }, status: {} },
  });
}
