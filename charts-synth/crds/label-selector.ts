/** metav1.LabelSelector as controller-gen renders it (used by PVC selectors and NetworkPolicy peers). */
import { atomicStringListSchema, stringMapSchema, type StructuralSchema } from './structural-schema.ts';

export function labelSelectorSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      matchExpressions: {
        type: 'array',
        items: {
          type: 'object',
          properties: { key: { type: 'string' }, operator: { type: 'string' }, values: atomicStringListSchema() },
          required: ['key', 'operator'],
        },
        'x-kubernetes-list-type': 'atomic',
      },
      matchLabels: stringMapSchema(),
    },
    'x-kubernetes-map-type': 'atomic',
  };
}
