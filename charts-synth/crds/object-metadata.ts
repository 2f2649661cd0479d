/**
 * Metadata embedded in agent-sandbox specs. These are the upstream EmbeddedObjectMetadata
 * subsets, not a full ObjectMeta: the controller copies only these fields to what it creates.
 */
import { stringMapSchema, type StructuralSchema } from './structural-schema.ts';

/** `podTemplate.metadata`: labels and annotations copied to the sandbox Pod. */
export function podTemplateMetadataSchema(): StructuralSchema {
  return { type: 'object', properties: { annotations: stringMapSchema(), labels: stringMapSchema() } };
}

/** `volumeClaimTemplates[].metadata`: the PVC's name (its volume name in the pod), labels, annotations. */
export function volumeClaimTemplateMetadataSchema(): StructuralSchema {
  return { type: 'object', properties: { annotations: stringMapSchema(), labels: stringMapSchema(), name: { type: 'string' } } };
}

/** The top-level `metadata` of a custom resource: the API server validates ObjectMeta itself. */
export function resourceMetadataSchema(): StructuralSchema {
  return { type: 'object' };
}
