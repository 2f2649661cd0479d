/**
 * Differences between two structural schemas, path by path, for the upstream compatibility
 * test: every keyword at every node must match, property sets must be equal both ways.
 */
import type { StructuralSchema } from '../../../charts-synth/crds/structural-schema.ts';

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

const RECURSIVE = new Set(['properties', 'items', 'additionalProperties']);
/** Sets, not lists: their order carries no meaning. */
const UNORDERED = new Set(['required']);

function join(path: string, segment: string): string {
  return path ? `${path}.${segment}` : segment;
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : canonicalJson(value);
}

/**
 * `skip` names dotted paths (e.g. `spec.podTemplate.spec`) compared elsewhere. Paths read like
 * `status.conditions[].reason`, `spec.resources.requests.*`.
 */
export function diffSchemas(upstream: StructuralSchema, ours: StructuralSchema, skip: ReadonlySet<string> = new Set(), path = ''): string[] {
  if (skip.has(path)) return [];
  const where = path || '<root>';
  const out: string[] = [];
  const keywords = [...new Set([...Object.keys(upstream), ...Object.keys(ours)])].sort() as (keyof StructuralSchema)[];
  for (const keyword of keywords) {
    if (RECURSIVE.has(keyword)) continue;
    let a: unknown = upstream[keyword];
    let b: unknown = ours[keyword];
    if (UNORDERED.has(keyword)) {
      a = Array.isArray(a) ? [...(a as string[])].sort() : a;
      b = Array.isArray(b) ? [...(b as string[])].sort() : b;
    }
    if (canonicalJson(a) !== canonicalJson(b)) out.push(`${where}: ${keyword} differs: upstream ${show(a)}, ours ${show(b)}`);
  }
  const upstreamProps = upstream.properties ?? {};
  const ourProps = ours.properties ?? {};
  if ((upstream.properties === undefined) !== (ours.properties === undefined)) out.push(`${where}: properties ${upstream.properties ? 'missing in ours' : 'not in upstream'}`);
  for (const name of Object.keys(upstreamProps).sort()) {
    const child = join(path, name);
    const ourChild = ourProps[name];
    const upChild = upstreamProps[name];
    if (!upChild) continue;
    if (!ourChild) out.push(`${child}: missing in ours (upstream defines it)`);
    else out.push(...diffSchemas(upChild, ourChild, skip, child));
  }
  for (const name of Object.keys(ourProps).sort()) {
    if (!(name in upstreamProps)) out.push(`${join(path, name)}: ours adds a field upstream lacks`);
  }
  if (upstream.items || ours.items) {
    if (upstream.items && ours.items) out.push(...diffSchemas(upstream.items, ours.items, skip, `${path}[]`));
    else out.push(`${where}: items ${upstream.items ? 'missing in ours' : 'not in upstream'}`);
  }
  const upAdd = upstream.additionalProperties;
  const ourAdd = ours.additionalProperties;
  if (typeof upAdd === 'object' && typeof ourAdd === 'object') out.push(...diffSchemas(upAdd, ourAdd, skip, join(path, '*')));
  else if (canonicalJson(upAdd) !== canonicalJson(ourAdd)) out.push(`${where}: additionalProperties differs: upstream ${show(upAdd)}, ours ${show(ourAdd)}`);
  return out;
}

/** Dotted paths of every property of a schema (what "every upstream property" means in reports). */
export function propertyPaths(schema: StructuralSchema, skip: ReadonlySet<string> = new Set(), path = ''): string[] {
  if (skip.has(path)) return [];
  const out: string[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const childPath = join(path, name);
    out.push(childPath, ...propertyPaths(child, skip, childPath));
  }
  if (schema.items) out.push(...propertyPaths(schema.items, skip, `${path}[]`));
  if (typeof schema.additionalProperties === 'object') out.push(...propertyPaths(schema.additionalProperties, skip, join(path, '*')));
  return out;
}
