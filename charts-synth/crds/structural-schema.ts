/**
 * The part of apiextensions.k8s.io/v1 JSONSchemaProps that structural CRD schemas use, typed
 * tightly: kubernetes-models types `items` and `default` as `{}`, which would let any typo pass.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  enum?: JsonValue[];
  default?: JsonValue;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  required?: string[];
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  anyOf?: StructuralSchema[];
  allOf?: StructuralSchema[];
  oneOf?: StructuralSchema[];
  not?: StructuralSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

/** `{type: object, additionalProperties: {type: string}}`: labels, annotations, matchLabels. */
export function stringMapSchema(): StructuralSchema {
  return { type: 'object', additionalProperties: { type: 'string' } };
}

/** A list of strings merged as a whole (`+listType=atomic`). */
export function atomicStringListSchema(): StructuralSchema {
  return { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' };
}

/** A `{name}` reference to another object in the same namespace. */
export function localObjectReferenceSchema(): StructuralSchema {
  return { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
}
