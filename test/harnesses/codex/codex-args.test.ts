/** The codex command line and the adapter settings. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codexArgs } from '../../../harnesses/codex/adapter/codex-args.ts';
import { codexAdapterConfig } from '../../../harnesses/codex/adapter/codex-config.ts';

const root = mkdtempSync(join(tmpdir(), 'paddock-codex-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { PADDOCK_WORKSPACE: root, HOME: join(root, 'home') };

describe('codexArgs', () => {
  const provider = { baseUrl: 'http://gw:4000/v1', envKey: 'OPENAI_API_KEY', requestMaxRetries: 0, streamMaxRetries: 0 };

  it('starts `codex exec --json` in the workspace with the prompt on stdin and the gateway as provider', () => {
    const args = codexArgs({ workspace: '/workspace', sandbox: 'bypass', provider });
    expect(args.slice(0, 6)).toEqual(['exec', '--json', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--cd', '/workspace']);
    expect(args.at(-1)).toBe('-');
    const overrides = args.filter((_, i) => args[i - 1] === '-c');
    expect(overrides).toEqual([
      'check_for_update_on_startup=false',
      'model_provider="paddock"',
      'model_providers.paddock.name="Paddock model gateway"',
      'model_providers.paddock.base_url="http://gw:4000/v1"',
      'model_providers.paddock.env_key="OPENAI_API_KEY"',
      'model_providers.paddock.wire_api="responses"',
      'model_providers.paddock.supports_websockets=false',
      'model_providers.paddock.request_max_retries=0',
      'model_providers.paddock.stream_max_retries=0',
    ]);
    expect(args.join(' ')).not.toMatch(/sk-|api_key=/i);
  });

  it('resumes a thread with `exec resume <id> -`, and uses codex\'s own sandbox when asked', () => {
    const args = codexArgs({ resumeThreadId: 't-1', workspace: '/workspace', sandbox: 'workspace-write', model: 'gpt-x' });
    expect(args.slice(0, 4)).toEqual(['exec', 'resume', '--json', '--skip-git-repo-check']);
    expect(args).not.toContain('--dangerously-bypass-approvals-and-sandbox');
    expect(args).not.toContain('--cd');
    expect(args).toContain('sandbox_mode="workspace-write"');
    expect(args.slice(-2)).toEqual(['t-1', '-']);
    expect(args).toEqual(expect.arrayContaining(['--model', 'gpt-x']));
  });
});

describe('codexAdapterConfig', () => {
  it('points codex at OPENAI_BASE_URL and keeps CODEX_HOME under HOME', () => {
    const config = codexAdapterConfig({ ...env, OPENAI_BASE_URL: 'http://gw:4000/v1/', PADDOCK_CODEX_MAX_RETRIES: '2' });
    expect(config.provider).toEqual({ baseUrl: 'http://gw:4000/v1', envKey: 'OPENAI_API_KEY', requestMaxRetries: 2, streamMaxRetries: 2 });
    expect(config.codexHome).toBe(join(root, 'home', '.codex'));
    expect(config.sandbox).toBe('bypass');
    expect(codexAdapterConfig(env).provider).toBeUndefined();
  });

  it('names the variable of a wrong setting', () => {
    expect(() => codexAdapterConfig({ ...env, PADDOCK_CODEX_SANDBOX: 'none' })).toThrow(/PADDOCK_CODEX_SANDBOX must be one of/);
    expect(() => codexAdapterConfig({ ...env, PADDOCK_CODEX_MAX_RETRIES: 'lots' })).toThrow(/PADDOCK_CODEX_MAX_RETRIES/);
    expect(() => codexAdapterConfig({ ...env, OPENAI_BASE_URL: 'gw:4000' })).toThrow(/OPENAI_BASE_URL must be an http\(s\) URL/);
  });
});
