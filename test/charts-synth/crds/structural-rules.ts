/**
 * The API server's rules for structural schemas in apiextensions.k8s.io/v1 CRDs (a CRD that
 * breaks them is rejected at apply time), checked offline since there is no cluster here.
 * https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
import type { StructuralSchema } from '../../../charts-synth/crds/structural-schema.ts';

/** Formats the API server validates; anything else is a typo here. */
const KNOWN_FORMATS = new Set(['date-time', 'date', 'duration', 'int32', 'int64', 'float', 'double', 'byte', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'cidr', 'mac', 'uuid', 'password']);
const FORBIDDEN_IN_JUNCTORS = ['type', 'default', 'description', 'nullable', 'additionalProperties', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource'] as const;

function isIntOrStringBranch(branch: StructuralSchema): boolean {
  return Object.keys(branch).length === 1 && (branch.type === 'integer' || branch.type === 'string');
}

function checkJunctor(branch: StructuralSchema, path: string, intOrString: boolean, out: string[]): void {
  if (intOrString && isIntOrStringBranch(branch)) return;
  for (const keyword of FORBIDDEN_IN_JUNCTORS) if (branch[keyword] !== undefined) out.push(`${path}: "${keyword}" is not allowed inside anyOf/allOf/oneOf/not`);
  for (const [name, child] of Object.entries(branch.properties ?? {})) checkJunctor(child, `${path}.${name}`, false, out);
  if (branch.items) checkJunctor(branch.items, `${path}[]`, false, out);
}

export function structuralViolations(schema: StructuralSchema, path = '<root>', out: string[] = []): string[] {
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (!schema.type && !intOrString && !preserve) out.push(`${path}: type is required`);
  if (intOrString && schema.type) out.push(`${path}: x-kubernetes-int-or-string must not set type`);
  if (intOrString && schema.anyOf && !(schema.anyOf.length === 2 && schema.anyOf.every(isIntOrStringBranch))) out.push(`${path}: x-kubernetes-int-or-string allows only anyOf [integer, string]`);
  if (schema['x-kubernetes-preserve-unknown-fields'] === false) out.push(`${path}: x-kubernetes-preserve-unknown-fields must be true or absent`);
  if (schema.properties && schema.additionalProperties !== undefined) out.push(`${path}: properties and additionalProperties are mutually exclusive`);
  if (schema.additionalProperties === false) out.push(`${path}: additionalProperties: false is forbidden in v1 CRDs`);
  if (schema.format && !KNOWN_FORMATS.has(schema.format)) out.push(`${path}: unknown format "${schema.format}"`);
  if ((schema.properties || schema.additionalProperties !== undefined) && schema.type !== 'object') out.push(`${path}: properties need type object`);
  if (schema.items && schema.type !== 'array') out.push(`${path}: items need type array`);
  if (schema.type === 'array' && !schema.items) out.push(`${path}: an array needs items`);
  for (const name of schema.required ?? []) {
    if (!preserve && !schema.properties?.[name]) out.push(`${path}: required field "${name}" is not in properties`);
  }
  const listType = schema['x-kubernetes-list-type'];
  const mapKeys = schema['x-kubernetes-list-map-keys'];
  if (listType && schema.type !== 'array') out.push(`${path}: x-kubernetes-list-type needs type array`);
  if (mapKeys && listType !== 'map') out.push(`${path}: x-kubernetes-list-map-keys needs x-kubernetes-list-type map`);
  if (listType === 'set' && schema.items?.type && ['object', 'array'].includes(schema.items.type)) out.push(`${path}: a set must hold scalars`);
  if (listType === 'map') {
    if (!mapKeys || mapKeys.length === 0) out.push(`${path}: x-kubernetes-list-type map needs x-kubernetes-list-map-keys`);
    if (schema.items?.type !== 'object') out.push(`${path}: a map list must hold objects`);
    for (const key of mapKeys ?? []) {
      const keySchema = schema.items?.properties?.[key];
      if (!keySchema) out.push(`${path}: list-map key "${key}" is not an item property`);
      else if (!schema.items?.required?.includes(key) && keySchema.default === undefined) out.push(`${path}: list-map key "${key}" must be required or defaulted`);
    }
  }
  if (schema['x-kubernetes-map-type'] && schema.type !== 'object') out.push(`${path}: x-kubernetes-map-type needs type object`);
  for (const junctor of ['anyOf', 'allOf', 'oneOf'] as const) schema[junctor]?.forEach((b, i) => checkJunctor(b, `${path}.${junctor}[${i}]`, intOrString && junctor === 'anyOf', out));
  if (schema.not) checkJunctor(schema.not, `${path}.not`, false, out);
  for (const [name, child] of Object.entries(schema.properties ?? {})) structuralViolations(child, path === '<root>' ? name : `${path}.${name}`, out);
  if (schema.items) structuralViolations(schema.items, `${path}[]`, out);
  if (typeof schema.additionalProperties === 'object') structuralViolations(schema.additionalProperties, `${path}.*`, out);
  return out;
}

/** Root-level rules: metadata may only restrict name/generateName; no default at the root. */
export function rootViolations(root: StructuralSchema): string[] {
  const out = structuralViolations(root);
  const metadata = root.properties?.metadata;
  if (!metadata || metadata.type !== 'object') out.push('metadata: must be declared as type object');
  else {
    const extra = Object.keys(metadata).filter((k) => k !== 'type' && k !== 'properties');
    const props = Object.keys(metadata.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
    if (extra.length > 0 || props.length > 0) out.push(`metadata: only name and generateName may be restricted (found ${[...extra, ...props].join(', ')})`);
  }
  if (root.default !== undefined) out.push('<root>: default is not allowed at the root');
  if (root.type !== 'object') out.push('<root>: must be type object');
  return out;
}

/** Every `default` in a schema with its path and the node it belongs to. */
export function defaultsOf(schema: StructuralSchema, path = '<root>'): { path: string; schema: StructuralSchema }[] {
  const out: { path: string; schema: StructuralSchema }[] = schema.default !== undefined ? [{ path, schema }] : [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) out.push(...defaultsOf(child, path === '<root>' ? name : `${path}.${name}`));
  if (schema.items) out.push(...defaultsOf(schema.items, `${path}[]`));
  if (typeof schema.additionalProperties === 'object') out.push(...defaultsOf(schema.additionalProperties, `${path}.*`));
  return out;
}
