import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.ts';
import { listStackFiles, parseStackFile, readStackFile, stackNameOf } from '../../config/stack-file.ts';

function lines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.lines;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('stack files', () => {
  it('keeps the paddock: namespace, reading bare keys as paddock:, and aws:region (checked against eks.region) only', () => {
    const file = parseStackFile('config:\n  aws:region: eu-west-1\n  aws:profile: ops\n  paddock:platform: {environment: kind}\n  teams: []\nencryptionsalt: abc\n', 'f.yaml', 's');
    expect(file.config).toEqual({ 'aws:region': 'eu-west-1', 'paddock:platform': { environment: 'kind' }, 'paddock:teams': [] });
  });

  it('reports YAML syntax errors with their line', () => {
    expect(lines(() => parseStackFile('config:\n  paddock:platform: [\n', 'stacks/Pulumi.x.yaml', 'x'))[0]).toMatch(/^stacks\/Pulumi\.x\.yaml: \(top level\): YAML line \d+, column \d+: /);
  });

  it('puts each YAML syntax error at the mistake: the opening quote or bracket left open, the misindented key, the duplicate, the nested value', () => {
    const cases: Array<[string, string]> = [
      ['config:\n  paddock:platform: [\n', 'YAML line 2, column 21: Flow sequence in block collection must be sufficiently indented and end with a ]'],
      ['config:\n  paddock:teams: [a, b\n  paddock:x: 1\n', 'YAML line 2, column 18: Flow sequence in block collection must be sufficiently indented and end with a ]'],
      ['config:\n  paddock:platform: {environment: kind\n', 'YAML line 2, column 21: Flow map in block collection must be sufficiently indented and end with a }'],
      ['config:\n  paddock:platform:\n    environment: "kind\n    clusterName: x\n', 'YAML line 3, column 18: Missing closing "quote'],
      ["config:\n  paddock:platform:\n    environment: 'kind\n    clusterName: x\n", "YAML line 3, column 18: Missing closing 'quote"],
      ['config:\n  paddock:platform:\n    environment: kind\n   clusterName: x\n', 'YAML line 4, column 4: All mapping items must start at the same column'],
      ['config:\n  paddock:platform:\n    environment: kind\n    environment: eks\n', 'YAML line 4, column 5: Map keys must be unique'],
      ['config:\n  paddock:platform:\n    environment: kind: x\n', 'YAML line 3, column 18: Nested mappings are not allowed in compact mappings'],
      ['config:\n  paddock:platform:\n\tenvironment: kind\n', 'YAML line 3, column 1: Tabs are not allowed as indentation'],
    ];
    for (const [text, message] of cases) expect(lines(() => parseStackFile(text, 'f.yaml', 's'))[0]).toBe(`f.yaml: (top level): ${message}`);
  });

  it('reports duplicate keys (a silent override would be a typo passing)', () => {
    expect(lines(() => parseStackFile('config:\n  paddock:teams: []\n  paddock:teams: []\n', 'f.yaml', 's'))[0]).toContain('Map keys must be unique');
  });

  it('rejects unknown top-level keys and a non-mapping config', () => {
    expect(lines(() => parseStackFile('confg: {}\n', 'f.yaml', 's'))).toEqual(['f.yaml: confg: unknown top-level key (a Pulumi stack file has config, encryptionsalt, secretsprovider, encryptedkey, environment)']);
    expect(lines(() => parseStackFile('config: [1]\n', 'f.yaml', 's'))).toEqual(['f.yaml: config: expected a mapping']);
  });

  it('names stacks from file names and lists them sorted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-stacks-'));
    for (const name of ['Pulumi.b.yaml', 'Pulumi.a.yaml', 'README.md', 'Pulumi.yaml']) writeFileSync(join(dir, name), 'config: {}\n');
    expect(listStackFiles(dir).map((f) => stackNameOf(f))).toEqual(['a', 'b']);
    expect(lines(() => readStackFile(join(dir, 'Pulumi.missing.yaml')))[0]).toContain('cannot read: ENOENT');
  });
});
