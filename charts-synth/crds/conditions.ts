/**
 * metav1.Condition list, as in every agent-sandbox status. The controller writes these through
 * the status subresource; a field missing here would be pruned by the API server on write.
 */
import type { StructuralSchema } from './structural-schema.ts';

export const CONDITION_REASON_PATTERN = '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$';
export const CONDITION_TYPE_PATTERN = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$';

export function conditionSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      lastTransitionTime: { type: 'string', format: 'date-time' },
      message: { type: 'string', maxLength: 32768 },
      observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
      reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: CONDITION_REASON_PATTERN },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      type: { type: 'string', maxLength: 316, pattern: CONDITION_TYPE_PATTERN },
    },
    required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
  };
}

/** `status.conditions`: upstream sets no list type here (a plain array). */
export function conditionsSchema(): StructuralSchema {
  return { type: 'array', items: conditionSchema() };
}
