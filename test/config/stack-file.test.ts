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
