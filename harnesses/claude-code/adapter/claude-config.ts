/**
 * The Claude Code adapter's settings, read once from the sandbox environment. Everything has a
 * safe default for a Paddock sandbox; a wrong value stops the adapter at start with the name of
 * the variable (never mid-turn).
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | PADDOCK_WORKSPACE | (required) | the agent's working directory (the workspace volume) |
 * | HOME | (required) | CLI sessions, settings and caches (a writable mount) |
 * | ANTHROPIC_BASE_URL | – | the model gateway (set by the SandboxTemplate) |
 * | ANTHROPIC_API_KEY | – | the gateway key (team secret); passed to the CLI, never logged |
 * | PADDOCK_CLAUDE_BIN | harness node_modules/.bin/claude, else `claude` on PATH | the CLI |
 * | PADDOCK_CLAUDE_MODEL | the CLI's default | `--model` |
 * | PADDOCK_CLAUDE_PERMISSION_MODE | bypassPermissions | the sandbox is the isolation boundary |
 * | PADDOCK_CLAUDE_EXTRA_ARGS | – | JSON array of extra flags |
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseExtraArgs } from '../../cli-adapter/extra-args.ts';
import { AdapterConfigError, sandboxPaths, type SandboxPaths } from '../../cli-adapter/sandbox-paths.ts';
import { resolveCli } from '../../cli-adapter/resolve-cli.ts';
import { PERMISSION_MODES, type PermissionMode } from './claude-args.ts';

export interface ClaudeAdapterConfig {
  readonly paths: SandboxPaths;
  readonly command: string;
  readonly model: string | undefined;
  readonly permissionMode: PermissionMode;
  readonly extraArgs: readonly string[];
  /** the Claude config dir (CLAUDE_CONFIG_DIR or ~/.claude), where transcripts live */
  readonly claudeConfigDir: string;
  readonly gatewayUrl: string | undefined;
}

export const HARNESS_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

export function claudeAdapterConfig(env: NodeJS.ProcessEnv): ClaudeAdapterConfig {
  const paths = sandboxPaths(env, 'claude-code');
  const mode = env.PADDOCK_CLAUDE_PERMISSION_MODE ?? 'bypassPermissions';
  if (!PERMISSION_MODES.includes(mode as PermissionMode)) throw new AdapterConfigError(`PADDOCK_CLAUDE_PERMISSION_MODE must be one of ${PERMISSION_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  return {
    paths,
    command: resolveCli({ explicit: env.PADDOCK_CLAUDE_BIN, harnessDir: HARNESS_DIR, name: 'claude' }),
    model: env.PADDOCK_CLAUDE_MODEL || undefined,
    permissionMode: mode as PermissionMode,
    extraArgs: parseExtraArgs(env.PADDOCK_CLAUDE_EXTRA_ARGS, 'PADDOCK_CLAUDE_EXTRA_ARGS'),
    claudeConfigDir: env.CLAUDE_CONFIG_DIR || `${paths.home}/.claude`,
    gatewayUrl: env.ANTHROPIC_BASE_URL || undefined,
  };
}
