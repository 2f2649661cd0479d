/**
 * core/v1 PersistentVolumeClaimSpec and the `volumeClaimTemplates` list built from it. Authored
 * as a real schema (unlike PodSpec, ADR 0003): it is small, and claims carry it from users.
 */
import { labelSelectorSchema } from './label-selector.ts';
import { volumeClaimTemplateMetadataSchema } from './object-metadata.ts';
import { atomicStringListSchema, type StructuralSchema } from './structural-schema.ts';

/** resource.Quantity: an int or a string such as `1Gi`, `500m`, `1e3`. */
export const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

export function quantitySchema(): StructuralSchema {
  return { anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: QUANTITY_PATTERN, 'x-kubernetes-int-or-string': true };
}

function resourceListSchema(): StructuralSchema {
  return { type: 'object', additionalProperties: quantitySchema() };
}

function typedObjectReferenceSchema(withNamespace: boolean): StructuralSchema {
  return {
    type: 'object',
    properties: {
      apiGroup: { type: 'string' },
      kind: { type: 'string' },
      name: { type: 'string' },
      ...(withNamespace ? { namespace: { type: 'string' } } : {}),
    },
    required: ['kind', 'name'],
  };
}

export function persistentVolumeClaimSpecSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      accessModes: atomicStringListSchema(),
      // TypedLocalObjectReference is a `+structType=atomic`; TypedObjectReference is not.
      dataSource: { ...typedObjectReferenceSchema(false), 'x-kubernetes-map-type': 'atomic' },
      dataSourceRef: typedObjectReferenceSchema(true),
      resources: { type: 'object', properties: { limits: resourceListSchema(), requests: resourceListSchema() } },
      selector: labelSelectorSchema(),
      storageClassName: { type: 'string' },
      volumeAttributesClassName: { type: 'string' },
      volumeMode: { type: 'string' },
      volumeName: { type: 'string' },
    },
  };
}

/** `spec.volumeClaimTemplates`: one PVC per entry, mounted by `metadata.name`. */
export function volumeClaimTemplatesSchema(): StructuralSchema {
  return {
    type: 'array',
    items: {
      type: 'object',
      properties: { metadata: volumeClaimTemplateMetadataSchema(), spec: persistentVolumeClaimSpecSchema() },
      required: ['spec'],
    },
    'x-kubernetes-list-type': 'atomic',
  };
}
