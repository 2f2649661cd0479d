/** The adapters' sandbox plumbing: paths, the session map, the CLI environment, redaction, extra args. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../../../harnesses/cli-adapter/cli-env.ts';
import { parseExtraArgs } from '../../../harnesses/cli-adapter/extra-args.ts';
import { redact, secretValues } from '../../../harnesses/cli-adapter/redact.ts';
import { resolveCli } from '../../../harnesses/cli-adapter/resolve-cli.ts';
import { AdapterConfigError, sandboxPaths } from '../../../harnesses/cli-adapter/sandbox-paths.ts';
import { SessionStore } from '../../../harnesses/cli-adapter/session-store.ts';

const root = mkdtempSync(join(tmpdir(), 'paddock-sandbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sandboxPaths', () => {
  it('accepts a writable workspace and HOME, and puts its state under HOME', () => {
    const workspace = join(root, 'ws');
    mkdirSync(workspace);
    const paths = sandboxPaths({ PADDOCK_WORKSPACE: workspace, HOME: join(root, 'home') }, 'codex');
    expect(paths).toEqual({ workspace, home: join(root, 'home'), stateDir: join(root, 'home', '.paddock', 'codex') });
  });

  it('names the variable to fix when the workspace is missing, relative, absent or not a directory', () => {
    const home = join(root, 'home');
    expect(() => sandboxPaths({ HOME: home }, 'x')).toThrow(/PADDOCK_WORKSPACE is not set/);
    expect(() => sandboxPaths({ HOME: home, PADDOCK_WORKSPACE: 'ws' }, 'x')).toThrow(/PADDOCK_WORKSPACE must be an absolute path/);
    expect(() => sandboxPaths({ HOME: home, PADDOCK_WORKSPACE: join(root, 'nope') }, 'x')).toThrow(/PADDOCK_WORKSPACE: .*nope does not exist/);
    writeFileSync(join(root, 'file'), '');
    expect(() => sandboxPaths({ HOME: home, PADDOCK_WORKSPACE: join(root, 'file') }, 'x')).toThrow(AdapterConfigError);
    expect(() => sandboxPaths({ PADDOCK_WORKSPACE: root }, 'x')).toThrow(/HOME must be set/);
  });

  it('refuses a HOME it cannot create, naming the variable', () => {
    // a path below a regular file cannot be created, whoever runs the test
    writeFileSync(join(root, 'plain-file'), '');
    expect(() => sandboxPaths({ PADDOCK_WORKSPACE: root, HOME: join(root, 'plain-file', 'home') }, 'x')).toThrow(/HOME: cannot create .*plain-file\/home \(ENOTDIR\)/);
  });
});

describe('SessionStore', () => {
  it('remembers CLI sessions per Paddock session across instances, written atomically', () => {
    const dir = join(root, 'state');
    const store = new SessionStore(dir);
    expect(store.get('a')).toBeUndefined();
    store.set('a', 'cli-1', 1);
    store.set('b', 'cli-2', 4);
    store.set('a', 'cli-1', 2);
    const again = new SessionStore(dir);
    expect(again.get('a')).toMatchObject({ cliSessionId: 'cli-1', turn: 2 });
    expect(again.get('b')).toMatchObject({ cliSessionId: 'cli-2', turn: 4 });
    expect(JSON.parse(readFileSync(join(dir, 'sessions.json'), 'utf8'))).toHaveProperty('a');
  });

  it('treats an unreadable file as empty instead of failing the turn', () => {
    const dir = join(root, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'sessions.json'), '{not json');
    expect(new SessionStore(dir).get('a')).toBeUndefined();
  });
});

describe('cliEnv', () => {
  it('passes the sandbox env on but never the sandbox token', () => {
    const env = cliEnv({ PATH: '/bin', ANTHROPIC_API_KEY: 'k', PADDOCK_SANDBOX_TOKEN: 'secret' }, { IS_SANDBOX: '1', PATH: undefined });
    expect(env).toEqual({ ANTHROPIC_API_KEY: 'k', IS_SANDBOX: '1' });
  });
});

describe('redact', () => {
  it('masks secret-named env values and well-known key shapes', () => {
    const secrets = secretValues({ OPENAI_API_KEY: 'abcdef123456', TEAM_TOKEN: 'tok-999999', HOME: '/home/agent', SHORT_KEY: 'abc' });
    expect(secrets).toEqual(['abcdef123456', 'tok-999999']);
    const text = 'key abcdef123456 tok-999999 sk-proj-ABCDEFGHIJ Bearer eyJhbGciOi.x.y x-api-key: zzzzzzzz /home/agent';
    expect(redact(text, secrets)).toBe('key [redacted] [redacted] [redacted] Bearer [redacted] x-api-key: [redacted] /home/agent');
  });
});

describe('parseExtraArgs and resolveCli', () => {
  it('accepts a JSON array of strings and names the variable otherwise', () => {
    expect(parseExtraArgs(undefined, 'V')).toEqual([]);
    expect(parseExtraArgs('["--max-turns","5"]', 'V')).toEqual(['--max-turns', '5']);
    expect(() => parseExtraArgs('--max-turns 5', 'V')).toThrow(/V must be a JSON array/);
    expect(() => parseExtraArgs('[1]', 'V')).toThrow(/V must be a JSON array of strings/);
  });

  it('prefers an explicit path, then the harness-local install, then PATH', () => {
    expect(resolveCli({ explicit: '/opt/x', harnessDir: root, name: 'claude' })).toBe('/opt/x');
    expect(resolveCli({ explicit: undefined, harnessDir: root, name: 'claude' })).toBe('claude');
    mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
    // a file that cannot be executed is not an install
    writeFileSync(join(root, 'node_modules', '.bin', 'claude'), '', { mode: 0o644 });
    expect(resolveCli({ explicit: undefined, harnessDir: root, name: 'claude' })).toBe('claude');
    chmodSync(join(root, 'node_modules', '.bin', 'claude'), 0o755);
    expect(resolveCli({ explicit: undefined, harnessDir: root, name: 'claude' })).toBe(join(root, 'node_modules', '.bin', 'claude'));
  });
});
