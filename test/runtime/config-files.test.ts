import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRuntimeConfig } from '../../config/runtime-config.ts';
import { loadPlatformSpec } from '../../config/stack-file.ts';
import { loadHarnessRegistry } from '../../harnesses/registry.ts';
import { hashToken } from '../../runtime/auth.ts';
import { devTokenHashes, ensureDevTokens, readRuntimeConfigFile } from '../../runtime/config-files.ts';
import { withScriptedHarness } from '../../runtime/dev-config.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'paddock-cfg-'));
  dirs.push(d);
  return d;
};

describe('runtime config file', () => {
  it('reads what synth renders for a stack', () => {
    const config = buildRuntimeConfig(loadPlatformSpec('stacks/Pulumi.prod.yaml', loadHarnessRegistry()));
    const path = join(temp(), 'config.json');
    writeFileSync(path, JSON.stringify(config, null, 2));
    expect(readRuntimeConfigFile(path)).toEqual(config);
  });

  it('names the file and the field that is wrong', () => {
    const dir = temp();
    writeFileSync(join(dir, 'a.json'), '{"version": 2');
    expect(() => readRuntimeConfigFile(join(dir, 'a.json'))).toThrow(/a\.json: not valid JSON/);
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ version: 1, stack: 's', environment: 'kind', modelGatewayUrl: 'u', turnTimeoutSeconds: 'soon', teams: [] }));
    expect(() => readRuntimeConfigFile(join(dir, 'b.json'))).toThrow(/b\.json: turnTimeoutSeconds: /);
    expect(() => readRuntimeConfigFile(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read the runtime config \(ENOENT\)/);
  });
});

describe('dev tokens', () => {
  it('issues tokens once, keeps them, adds new teams, and writes the file 0600', () => {
    const path = join(temp(), 'tokens.json');
    const first = ensureDevTokens(path, ['web', 'platform']);
    expect(Object.keys(first.teams)).toEqual(['platform', 'web']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(first);
    const again = ensureDevTokens(path, ['platform', 'web', 'data']);
    expect(again.admin).toBe(first.admin);
    expect(again.teams.web).toBe(first.teams.web);
    expect(again.teams.data).toMatch(/^pdk_/);
    const hashes = devTokenHashes(again, ['web']);
    expect(hashes).toEqual({ admin: [hashToken(first.admin)], teams: new Map([['web', [hashToken(first.teams.web!)]]]) });
  });

  it('refuses a damaged tokens file instead of silently issuing new tokens', () => {
    const path = join(temp(), 'tokens.json');
    writeFileSync(path, '{"admin": 1}');
    expect(() => ensureDevTokens(path, ['web'])).toThrow(/tokens\.json: admin: .*; fix it or delete it to issue new tokens/);
  });
});

describe('dev mode config', () => {
  it('adds the scripted harness to every team that lacks it', () => {
    const registry = loadHarnessRegistry();
    const config = withScriptedHarness(buildRuntimeConfig(loadPlatformSpec('stacks/Pulumi.local.yaml', registry)), registry);
    for (const team of config.teams) expect(team.harnesses.filter((h) => h.name === 'scripted')).toEqual([{ name: 'scripted', warmPool: 'scripted', port: 8080, modelGatewayEnv: [] }]);
    expect(config.teams.find((t) => t.name === 'web')!.harnesses.map((h) => h.name)).toEqual(['codex', 'scripted']);
  });
});
