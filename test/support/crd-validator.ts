/**
 * Validates custom resources against OUR CustomResourceDefinitions the way the API server
 * would: the structural OpenAPI v3 schema of the served version, compiled with ajv (strict,
 * ajv-formats), defaults applied, and unknown fields reported instead of silently pruned
 * (pruning is how a typo would vanish on a real cluster, so here it is an error).
 *
 * Not emulated: CEL rules (`x-kubernetes-validations`; ours is a transition rule that needs an
 * old object) and ObjectMeta details beyond the schema below.
 */
import { Ajv, type AnySchemaObject, type ErrorObject, type FuncKeywordDefinition, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { agentSandboxCrds } from '../../charts-synth/crds/index.ts';
import type { CustomResourceDefinitionObject } from '../../charts-synth/crds/custom-resource-definition.ts';
import type { StructuralSchema } from '../../charts-synth/crds/structural-schema.ts';

type DataValidateFunction = ReturnType<NonNullable<FuncKeywordDefinition['compile']>>;

const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** Keywords copied as they are; everything else a structural schema may hold is handled below. */
const PLAIN_KEYWORDS = [
  'description',
  'format',
  'enum',
  'default',
  'minimum',
  'maximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'required',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
] as const;
const HANDLED_KEYWORDS = new Set<string>([...PLAIN_KEYWORDS, 'type', 'nullable', 'exclusiveMinimum', 'exclusiveMaximum', 'properties', 'additionalProperties', 'items', 'anyOf', 'allOf', 'oneOf', 'not']);

function isIntOrStringPair(schemas: readonly StructuralSchema[] | undefined): boolean {
  return schemas?.length === 2 && schemas.some((s) => s.type === 'integer' && Object.keys(s).length === 1) && schemas.some((s) => s.type === 'string' && Object.keys(s).length === 1);
}

/**
 * Structural OpenAPI v3 (Kubernetes dialect) → ajv (draft-07) schema:
 * - `x-kubernetes-int-or-string` → `type: [integer, string]` (its `anyOf` pair dropped);
 * - `nullable` → `null` added to the type; boolean exclusiveMinimum/Maximum → numeric form;
 * - an object with `properties` and without `x-kubernetes-preserve-unknown-fields` gets
 *   `additionalProperties: false`, so unknown fields are errors rather than pruned.
 * Throws on keywords a structural schema may not use (`$ref`, `patternProperties`, ...).
 */
export function toAjvSchema(schema: StructuralSchema, path = '<root>'): AnySchemaObject {
  for (const keyword of Object.keys(schema)) {
    if (!HANDLED_KEYWORDS.has(keyword)) throw new Error(`${path}: keyword "${keyword}" is not supported in a structural schema`);
  }
  const out: AnySchemaObject = {};
  const types: string[] = [];
  if (schema['x-kubernetes-int-or-string']) types.push('integer', 'string');
  else if (schema.type) types.push(schema.type);
  if (schema.nullable && types.length > 0) types.push('null');
  if (types.length === 1) out.type = types[0];
  else if (types.length > 1) out.type = types;
  for (const keyword of PLAIN_KEYWORDS) {
    if (schema[keyword] !== undefined) out[keyword] = structuredClone(schema[keyword]);
  }
  if (schema.nullable && Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  if (schema.exclusiveMinimum) {
    if (schema.minimum === undefined) throw new Error(`${path}: exclusiveMinimum without minimum`);
    out.exclusiveMinimum = schema.minimum;
    delete out.minimum;
  }
  if (schema.exclusiveMaximum) {
    if (schema.maximum === undefined) throw new Error(`${path}: exclusiveMaximum without maximum`);
    out.exclusiveMaximum = schema.maximum;
    delete out.maximum;
  }
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, child]) => [name, toAjvSchema(child, `${path}.${name}`)]));
  }
  if (schema.additionalProperties !== undefined) {
    out.additionalProperties = typeof schema.additionalProperties === 'boolean' ? schema.additionalProperties : toAjvSchema(schema.additionalProperties, `${path}.*`);
  } else if (schema.properties && !schema['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  if (schema.items) out.items = toAjvSchema(schema.items, `${path}[]`);
  for (const junctor of ['anyOf', 'allOf', 'oneOf'] as const) {
    const branches = schema[junctor];
    if (!branches) continue;
    if (junctor === 'anyOf' && schema['x-kubernetes-int-or-string'] && isIntOrStringPair(branches)) continue;
    out[junctor] = branches.map((branch, i) => toAjvSchema(branch, `${path}.${junctor}[${i}]`));
  }
  if (schema.not) out.not = toAjvSchema(schema.not, `${path}.not`);
  return out;
}

/**
 * What the API server checks in a custom resource's `metadata` (ObjectMeta) that matters for
 * objects we author: a valid name, string label/annotation values, no typos. That a name or a
 * generateName is set is checked in `check` (one message instead of ajv's three for an anyOf).
 */
export function objectMetaSchema(): AnySchemaObject {
  const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
  return {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 253, pattern: DNS1123_SUBDOMAIN },
      generateName: { type: 'string' },
      namespace: { type: 'string', maxLength: 63, pattern: DNS1123_LABEL },
      labels: stringMap,
      annotations: stringMap,
      uid: { type: 'string' },
      resourceVersion: { type: 'string' },
      generation: { type: 'integer' },
      // `kubectl create --dry-run -o yaml` writes `creationTimestamp: null`
      creationTimestamp: { type: ['string', 'null'] },
      deletionTimestamp: { type: 'string' },
      deletionGracePeriodSeconds: { type: 'integer' },
      finalizers: { type: 'array', items: { type: 'string' } },
      ownerReferences: { type: 'array', items: { type: 'object' } },
      managedFields: { type: 'array', items: { type: 'object' } },
      selfLink: { type: 'string' },
    },
    additionalProperties: false,
  };
}

/** Key order independent identity for list-type set/map comparisons. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** `x-kubernetes-list-type`: `set` items and `map` keys must be unique, as the API server enforces. */
function compileListType(listType: string, parentSchema: AnySchemaObject): DataValidateFunction {
  const mapKeys = (parentSchema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
  if (listType === 'map' && mapKeys.length === 0) throw new Error('x-kubernetes-list-type "map" needs x-kubernetes-list-map-keys');
  const validate: DataValidateFunction = (data: unknown): boolean => {
    if (listType === 'atomic' || !Array.isArray(data)) return true;
    const seen = new Map<string, number>();
    const errors: Partial<ErrorObject>[] = [];
    data.forEach((item: unknown, index) => {
      const keyValues = mapKeys.map((key) => (item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[key] : undefined));
      const identity = listType === 'set' ? canonicalJson(item) : canonicalJson(keyValues);
      const first = seen.get(identity);
      if (first === undefined) {
        seen.set(identity, index);
        return;
      }
      const what = listType === 'set' ? `value ${canonicalJson(item)}` : `key ${mapKeys.map((key, i) => `${key}=${canonicalJson(keyValues[i])}`).join(', ')}`;
      errors.push({ keyword: 'x-kubernetes-list-type', params: { listType, index, first }, message: `[${index}]: duplicate ${what} (first at [${first}])` });
    });
    validate.errors = errors;
    return errors.length === 0;
  };
  return validate;
}

/** `x-kubernetes-embedded-resource`: the object is itself a resource, so it needs apiVersion and kind. */
function compileEmbeddedResource(embedded: boolean): DataValidateFunction {
  const validate: DataValidateFunction = (data: unknown): boolean => {
    if (!embedded || data === null || typeof data !== 'object') return true;
    const object = data as Record<string, unknown>;
    const errors: Partial<ErrorObject>[] = [];
    for (const field of ['apiVersion', 'kind']) {
      if (typeof object[field] !== 'string' || object[field] === '') errors.push({ keyword: 'x-kubernetes-embedded-resource', params: { field }, message: `.${field}: an embedded resource needs a non-empty ${field}` });
    }
    if (object.metadata !== undefined && (object.metadata === null || typeof object.metadata !== 'object')) {
      errors.push({ keyword: 'x-kubernetes-embedded-resource', params: { field: 'metadata' }, message: '.metadata: must be an object' });
    }
    validate.errors = errors;
    return errors.length === 0;
  };
  return validate;
}

export function createAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, useDefaults: true, allowUnionTypes: true });
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: 'x-kubernetes-list-type', type: 'array', schemaType: 'string', metaSchema: { enum: ['atomic', 'set', 'map'] }, compile: compileListType, errors: true });
  ajv.addKeyword({ keyword: 'x-kubernetes-list-map-keys', type: 'array', schemaType: 'array', metaSchema: { type: 'array', items: { type: 'string' }, minItems: 1 } });
  ajv.addKeyword({ keyword: 'x-kubernetes-map-type', type: 'object', schemaType: 'string', metaSchema: { enum: ['atomic', 'granular'] } });
  // Annotations for the API server; their effect is in the schema conversion above.
  ajv.addKeyword({ keyword: 'x-kubernetes-preserve-unknown-fields', schemaType: 'boolean' });
  ajv.addKeyword({ keyword: 'x-kubernetes-int-or-string', schemaType: 'boolean' });
  ajv.addKeyword({ keyword: 'x-kubernetes-embedded-resource', type: 'object', schemaType: 'boolean', compile: compileEmbeddedResource, errors: true });
  // CEL: not evaluated here (ours is a transition rule; it needs the old object).
  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    schemaType: 'array',
    metaSchema: { type: 'array', items: { type: 'object', required: ['rule'], properties: { rule: { type: 'string' }, message: { type: 'string' } } } },
  });
  return ajv;
}

/** `/spec/volumeClaimTemplates/0/metadata/labels/app.kubernetes.io~1name` → `spec.volumeClaimTemplates[0].metadata.labels["app.kubernetes.io/name"]` */
export function fieldPath(instancePath: string, child?: string): string {
  const segments = instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) segments.push(child);
  let out = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out || '<root>';
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, instancePath: string): unknown {
  let node = root;
  for (const raw of instancePath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

/** One ajv error → "spec.replicas: must be >= 0 (got -1)", always naming the field. */
export function formatAjvError(error: ErrorObject, data: unknown): string {
  const params = error.params as Record<string, unknown>;
  const got = () => ` (got ${describeValue(valueAt(data, error.instancePath))})`;
  switch (error.keyword) {
    case 'required':
      return `${fieldPath(error.instancePath, String(params.missingProperty))}: required field is missing`;
    case 'additionalProperties':
      return `${fieldPath(error.instancePath, String(params.additionalProperty))}: unknown field (not in the schema; the API server would drop it)`;
    case 'enum':
      return `${fieldPath(error.instancePath)}: must be one of ${(params.allowedValues as unknown[]).map(describeValue).join(', ')}${got()}`;
    case 'type':
      return `${fieldPath(error.instancePath)}: must be of type ${String(params.type).replace(',', ' or ')}${got()}`;
    case 'x-kubernetes-list-type':
    case 'x-kubernetes-embedded-resource':
      return `${fieldPath(error.instancePath)}${error.message ?? `: violates ${error.keyword}`}`;
    case 'anyOf':
      return `${fieldPath(error.instancePath)}: ${error.message ?? 'does not match any allowed form'}`;
    default:
      return `${fieldPath(error.instancePath)}: ${error.message ?? error.keyword}${got()}`;
  }
}

export interface CustomResourceCheck {
  /** Empty when the object is valid. Each message names the object and the field; sorted. */
  errors: string[];
  /** A copy of the object with the schema's defaults applied (as the API server stores it). */
  defaulted: unknown;
}

export interface CustomResourceValidator {
  /** `group/version` + kind pairs this validator knows, e.g. `extensions.agents.x-k8s.io/v1beta1 SandboxClaim`. */
  readonly kinds: readonly string[];
  handles(apiVersion: string, kind: string): boolean;
  check(object: unknown): CustomResourceCheck;
}

function describeResource(object: Record<string, unknown>): string {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === 'string' ? metadata.name : typeof metadata.generateName === 'string' ? `${metadata.generateName}*` : '<unnamed>';
  const namespace = typeof metadata.namespace === 'string' ? `${metadata.namespace}/` : '';
  return `${typeof object.kind === 'string' ? object.kind : '<no kind>'} ${namespace}${name}`;
}

/** Compiles one validator per served version of each CRD. */
export function createCustomResourceValidator(crds: readonly CustomResourceDefinitionObject[]): CustomResourceValidator {
  const ajv = createAjv();
  const validators = new Map<string, ValidateFunction>();
  const servedVersions = new Map<string, string[]>();
  for (const crd of crds) {
    const { group, names } = crd.spec;
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      const root = toAjvSchema(version.schema.openAPIV3Schema, `${crd.metadata.name} ${version.name}`);
      const properties = root.properties as Record<string, AnySchemaObject>;
      properties.metadata = objectMetaSchema();
      root.required = [...new Set([...((root.required as string[] | undefined) ?? []), 'apiVersion', 'kind', 'metadata'])];
      validators.set(`${group}/${version.name} ${names.kind}`, ajv.compile(root));
      servedVersions.set(`${group} ${names.kind}`, [...(servedVersions.get(`${group} ${names.kind}`) ?? []), version.name]);
    }
  }
  const kinds = [...validators.keys()].sort();
  return {
    kinds,
    handles: (apiVersion, kind) => validators.has(`${apiVersion} ${kind}`),
    check(object) {
      if (object === null || typeof object !== 'object' || Array.isArray(object)) return { errors: [`<root>: a custom resource must be an object (got ${describeValue(object)})`], defaulted: object };
      const record = object as Record<string, unknown>;
      const where = describeResource(record);
      const { apiVersion, kind } = record;
      if (typeof apiVersion !== 'string' || typeof kind !== 'string') return { errors: [`${where}: apiVersion and kind must be strings`], defaulted: object };
      const validate = validators.get(`${apiVersion} ${kind}`);
      if (!validate) {
        const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
        const served = servedVersions.get(`${group} ${kind}`);
        const reason = served
          ? `apiVersion ${apiVersion} is not served for ${kind} (served: ${served.map((v) => `${group}/${v}`).join(', ')})`
          : `no CustomResourceDefinition for apiVersion ${apiVersion} kind ${kind} (known: ${kinds.join('; ')})`;
        return { errors: [`${where}: ${reason}`], defaulted: object };
      }
      const defaulted = structuredClone(object);
      const errors = validate(defaulted) ? [] : (validate.errors ?? []).map((e) => `${where}: ${formatAjvError(e, defaulted)}`);
      const metadata = record.metadata;
      if (metadata !== null && typeof metadata === 'object' && !('name' in metadata) && !('generateName' in metadata)) {
        errors.push(`${where}: metadata.name: required field is missing (or set metadata.generateName)`);
      }
      // sorted, so the order follows field paths rather than ajv's evaluation order
      return { errors: [...new Set(errors)].sort(), defaulted };
    },
  };
}

let agentSandboxValidator: CustomResourceValidator | undefined;

/** The validator for Paddock's own agent-sandbox CRDs (built once). */
export function agentSandboxResourceValidator(): CustomResourceValidator {
  agentSandboxValidator ??= createCustomResourceValidator(agentSandboxCrds());
  return agentSandboxValidator;
}

/** Errors of one custom resource against our CRDs; empty when valid. Unknown kinds are errors. */
export function validateCustomResource(object: unknown): string[] {
  return agentSandboxResourceValidator().check(object).errors;
}

/** Whether our CRDs define this apiVersion/kind (so callers can route built-in kinds elsewhere). */
export function isAgentSandboxResource(object: { apiVersion?: unknown; kind?: unknown }): boolean {
  return typeof object.apiVersion === 'string' && typeof object.kind === 'string' && agentSandboxResourceValidator().handles(object.apiVersion, object.kind);
}
