/**
 * `spec.podTemplate` of Sandbox and SandboxTemplate. The core PodSpec is not authored here
 * (ADR 0003): it keeps unknown fields, and every pod template Paddock renders is validated
 * client-side with kubernetes-models instead. What upstream's schema requires at the top of
 * the PodSpec (containers, each with a unique name) is kept, so the API server still rejects
 * a template without containers or with two containers of the same name.
 */
import { podTemplateMetadataSchema } from './object-metadata.ts';
import type { StructuralSchema } from './structural-schema.ts';

export function podSpecSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      containers: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], 'x-kubernetes-preserve-unknown-fields': true },
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
      },
    },
    required: ['containers'],
    'x-kubernetes-preserve-unknown-fields': true,
  };
}

export function podTemplateSchema(): StructuralSchema {
  return { type: 'object', properties: { metadata: podTemplateMetadataSchema(), spec: podSpecSchema() }, required: ['spec'] };
}
