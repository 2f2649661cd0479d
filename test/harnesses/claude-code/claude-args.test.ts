/** The claude command line and the adapter settings. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeArgs } from '../../../harnesses/claude-code/adapter/claude-args.ts';
import { claudeAdapterConfig } from '../../../harnesses/claude-code/adapter/claude-config.ts';
import { claudeEnv } from '../../../harnesses/claude-code/adapter/claude-turn.ts';

const root = mkdtempSync(join(tmpdir(), 'paddock-claude-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { PADDOCK_WORKSPACE: root, HOME: join(root, 'home') };

describe('claudeArgs', () => {
  it('runs print mode with streaming JSON and partial messages, resuming or naming the session', () => {
    const fresh = claudeArgs({ session: { mode: 'new', id: 'u-1' }, permissionMode: 'bypassPermissions' });
    expect(fresh).toEqual(['--print', '--output-format', 'stream-json', '--verbose', '--include-partial-messages', '--input-format', 'text', '--permission-mode', 'bypassPermissions', '--session-id', 'u-1']);
    const resumed = claudeArgs({ session: { mode: 'resume', id: 'u-1' }, permissionMode: 'acceptEdits', model: 'opus', extraArgs: ['--max-turns', '9'] });
    expect(resumed.slice(-7)).toEqual(['acceptEdits', '--model', 'opus', '--resume', 'u-1', '--max-turns', '9']);
  });
});

describe('claudeAdapterConfig', () => {
  it('defaults to bypassPermissions (the pod is the sandbox) and the transcripts under HOME', () => {
    const config = claudeAdapterConfig({ ...env, ANTHROPIC_BASE_URL: 'http://gw:4000', PADDOCK_CLAUDE_BIN: '/opt/claude' });
    expect(config).toMatchObject({ command: '/opt/claude', permissionMode: 'bypassPermissions', model: undefined, claudeConfigDir: join(root, 'home', '.claude'), gatewayUrl: 'http://gw:4000' });
    expect(claudeEnv(config, { ANTHROPIC_API_KEY: 'k', PADDOCK_SANDBOX_TOKEN: 't' })).toEqual({ ANTHROPIC_API_KEY: 'k', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', IS_SANDBOX: '1' });
  });

  it('names the variable of a wrong setting', () => {
    expect(() => claudeAdapterConfig({ ...env, PADDOCK_CLAUDE_PERMISSION_MODE: 'yolo' })).toThrow(/PADDOCK_CLAUDE_PERMISSION_MODE must be one of/);
    expect(() => claudeAdapterConfig({ ...env, PADDOCK_CLAUDE_EXTRA_ARGS: '--x' })).toThrow(/PADDOCK_CLAUDE_EXTRA_ARGS/);
    const plan = claudeAdapterConfig({ ...env, PADDOCK_CLAUDE_PERMISSION_MODE: 'acceptEdits' });
    expect(claudeEnv(plan, {})).not.toHaveProperty('IS_SANDBOX');
  });
});
