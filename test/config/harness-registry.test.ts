import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.ts';
import { HARNESSES_DIR, loadHarnessRegistry, parseHarnessDefinition } from '../../harnesses/registry.ts';

describe('harness registry', () => {
  it('loads every harness folder, sorted, with pinned images', () => {
    const registry = loadHarnessRegistry();
    expect([...registry.keys()]).toEqual(['claude-code', 'codex', 'scripted']);
    for (const definition of registry.values()) {
      expect(definition.image).toMatch(/:[0-9][^:]*$/);
      expect(definition.user.uid).toBeGreaterThan(0);
    }
    expect(registry.get('codex')!.modelGatewayEnv).toEqual([{ name: 'OPENAI_BASE_URL', path: '/v1' }]);
  });

  it('adding a harness is adding a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-harnesses-'));
    for (const name of ['scripted', 'aider']) {
      mkdirSync(join(dir, name));
      const text = readFileSync(join(HARNESSES_DIR, 'scripted', 'harness.yaml'), 'utf8').replace('name: scripted', `name: ${name}`);
      writeFileSync(join(dir, name, 'harness.yaml'), text);
    }
    mkdirSync(join(dir, 'protocol'));
    expect([...loadHarnessRegistry(dir).keys()]).toEqual(['aider', 'scripted']);
  });

  it('rejects invalid definitions with file and path', () => {
    const text = readFileSync(join(HARNESSES_DIR, 'scripted', 'harness.yaml'), 'utf8').replace(/image: .*/, 'image: example/scripted').replace('port: 8080', 'port: 0\nprt: 1');
    try {
      parseHarnessDefinition(text, 'harnesses/x/harness.yaml', 'x');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).lines).toEqual([
        'harnesses/x/harness.yaml: image: "example/scripted" is not pinned: add a version tag or a digest',
        'harnesses/x/harness.yaml: port: must be at least 1',
        'harnesses/x/harness.yaml: prt: unknown key (did you mean "port"?)',
      ]);
    }
  });

  it('requires the name to match the folder', () => {
    const text = readFileSync(join(HARNESSES_DIR, 'scripted', 'harness.yaml'), 'utf8');
    expect(() => parseHarnessDefinition(text, 'harnesses/other/harness.yaml', 'other')).toThrow('harnesses/other/harness.yaml: name: "scripted" must equal its folder name "other"');
  });
});
