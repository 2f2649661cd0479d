/**
 * README.md's config reference documents every key of the stack-file schema (config/schema.ts,
 * through the JSON Schema generated from it), and names no key the schema does not have.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stackFileJsonSchema } from '../../config/json-schema.ts';
import { defaultProblem, defaultsByKey, documentedDefault, documentingRow, expandKeyCell, referenceRows, schemaKeys } from './support/config-reference.ts';

const configSchema = (stackFileJsonSchema().properties as { config: Record<string, unknown> }).config;
const keys = schemaKeys(configSchema);
const rows = referenceRows(readFileSync('README.md', 'utf8'));

describe('README config reference', () => {
  it('reads the schema down to its leaves', () => {
    const paths = keys.map((k) => k.path);
    // a sample of each shape: top-level scalar, map, nested object, union branch, array of objects
    for (const path of ['paddock:envFile', 'paddock:teamSecrets', 'paddock:platform.runtime.turnTimeoutSeconds', 'paddock:platform.database.storage', 'paddock:platform.database.multiAz', 'paddock:teams[].egress[].cidr', 'paddock:teams[].env', 'paddock:platform.runtime.resources.limits.cpu']) {
      expect(paths).toContain(path);
    }
    expect(keys.find((k) => k.path === 'paddock:teams[].egress[]')?.container).toBe(true);
  });

  it('documents every key of the schema (config/schema.ts)', () => {
    const undocumented = keys.filter((k) => !k.container && documentingRow(k.path, rows) === undefined).map((k) => k.path);
    expect(undocumented, 'add a row to the README config reference for each').toEqual([]);
  });

  it('gives the schema\'s defaults (where the default column holds a value)', () => {
    const byPath = new Map(keys.map((k) => [k.path, k]));
    const pairs = rows.flatMap(defaultsByKey);
    expect(pairs.length).toBeGreaterThan(20);
    expect(pairs.map(([key, cell]) => defaultProblem(key, cell, byPath.get(key))).filter((p) => p !== undefined)).toEqual([]);
  });

  it('names only keys the schema has', () => {
    const known = new Set(keys.map((k) => k.path));
    const unknown = rows.flatMap((r) => r.keys.filter((key) => !known.has(key)).map((key) => `${key}  (${r.text})`));
    expect(unknown).toEqual([]);
  });
});

describe('config reference matching rule', () => {
  it('reads a documented default as a value, "required", or prose', () => {
    expect(documentedDefault('`v0.5.6`')).toEqual({ value: 'v0.5.6' });
    expect(documentedDefault('[] (private endpoint)')).toEqual({ value: '[]' });
    expect(documentedDefault('db.t4g.medium')).toEqual({ value: 'db.t4g.medium' });
    expect(documentedDefault('required')).toEqual({ required: true });
    expect(documentedDefault("the cluster's default class")).toBeUndefined();
    expect(documentedDefault('100m/256Mi – 1/512Mi')).toBeUndefined();
  });

  it('compares a documented default with the schema\'s', () => {
    expect(defaultProblem('a', '2', { path: 'a', container: false, default: 2 })).toBeUndefined();
    expect(defaultProblem('a', '`16.4`', { path: 'a', container: false, default: '17' })).toMatch(/documented default `16.4`, the schema's is "17"/);
    expect(defaultProblem('a', '`kindest/node:v1.35.0@sha256:452d…ac31f`', { path: 'a', container: false, default: 'kindest/node:v1.35.0@sha256:452d0000ac31f' })).toBeUndefined();
    expect(defaultProblem('a', 'm6i.xlarge', { path: 'a', container: false, default: ['m6i.xlarge'] })).toBeUndefined();
    expect(defaultProblem('a', 'required', { path: 'a', container: false, default: 1 })).toMatch(/documented as required/);
    expect(defaultProblem('a', '`.env`', { path: 'a', container: false })).toBeUndefined();
    const [row] = referenceRows('## Config reference\n### `paddock:platform`\n| key | type | default | meaning |\n|---|---|---|---|\n| `eks.nodeGroup` | `{minSize, maxSize}` | 2, 6 | |\n| `x.a`, `.b` | | `1`, true | |');
    expect(defaultsByKey(row!)).toEqual([
      ['paddock:platform.eks.nodeGroup.minSize', '2'],
      ['paddock:platform.eks.nodeGroup.maxSize', '6'],
    ]);
  });

  it('expands the shorthands of the key column', () => {
    expect(expandKeyCell('`database.storage`, `.image`, `.storageClassName`')).toEqual(['database.storage', 'database.image', 'database.storageClassName']);
    expect(expandKeyCell('`network.podCidr/serviceCidr/nodeCidr`')).toEqual(['network.podCidr', 'network.serviceCidr', 'network.nodeCidr']);
    expect(expandKeyCell('`quota.cpu`, `quota.memory`')).toEqual(['quota.cpu', 'quota.memory']);
    expect(expandKeyCell('`egress[]`')).toEqual(['egress[]']);
  });

  it('documents a sub-key only when the row type names every remaining segment', () => {
    const table = [
      '## Config reference',
      '### `paddock:teams[]`',
      '| key | type | default | meaning |',
      '|---|---|---|---|',
      '| `egress[]` | `{cidr, ports[]}` | | |',
      '| `quota.cpu` | quantity | | |',
      '### `paddock:platform`',
      '| key | type | default | meaning |',
      '|---|---|---|---|',
      '| `runtime.resources` | `{requests,limits}{cpu,memory}` | | |',
      '| `paddock:envFile` | path | | |',
      '## Next',
      '| `ignored` | | | |',
    ].join('\n');
    const parsed = referenceRows(table);
    expect(parsed.flatMap((r) => r.keys)).toEqual(['paddock:teams[].egress[]', 'paddock:teams[].quota.cpu', 'paddock:platform.runtime.resources', 'paddock:envFile']);
    expect(documentingRow('paddock:teams[].egress[].cidr', parsed)).toBeDefined();
    expect(documentingRow('paddock:teams[].egress[].protocol', parsed)).toBeUndefined();
    expect(documentingRow('paddock:teams[].quota.memory', parsed)).toBeUndefined();
    expect(documentingRow('paddock:platform.runtime.resources.limits.memory', parsed)).toBeDefined();
    expect(documentingRow('paddock:envFile', parsed)).toBeDefined();
    expect(documentingRow('paddock:platform.runtime.image', parsed)).toBeUndefined();
  });
});
