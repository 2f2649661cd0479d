/**
 * The Codex adapter's settings, read once from the sandbox environment; a wrong value stops the
 * adapter at start with the name of the variable.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | PADDOCK_WORKSPACE | (required) | the agent's working directory (the workspace volume) |
 * | HOME | (required) | sessions and caches (CODEX_HOME defaults to $HOME/.codex) |
 * | OPENAI_BASE_URL | – | the model gateway's Responses API base (…/v1), set by the SandboxTemplate |
 * | OPENAI_API_KEY | – | the gateway key (team secret); read by codex from the env, never on argv |
 * | PADDOCK_CODEX_BIN | harness node_modules/.bin/codex, else `codex` on PATH | the CLI |
 * | PADDOCK_CODEX_MODEL | codex's default | `--model` |
 * | PADDOCK_CODEX_SANDBOX | bypass | bypass, workspace-write, read-only or danger-full-access |
 * | PADDOCK_CODEX_MAX_RETRIES | codex's default | request and stream retries against the gateway |
 * | PADDOCK_CODEX_EXTRA_ARGS | – | JSON array of extra flags |
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseExtraArgs } from '../../cli-adapter/extra-args.ts';
import { resolveCli } from '../../cli-adapter/resolve-cli.ts';
import { AdapterConfigError, sandboxPaths, type SandboxPaths } from '../../cli-adapter/sandbox-paths.ts';
import { CODEX_SANDBOX_MODES, type CodexProvider, type CodexSandboxMode } from './codex-args.ts';

export interface CodexAdapterConfig {
  readonly paths: SandboxPaths;
  readonly command: string;
  readonly model: string | undefined;
  readonly sandbox: CodexSandboxMode;
  readonly provider: CodexProvider | undefined;
  readonly extraArgs: readonly string[];
  readonly codexHome: string;
}

export const HARNESS_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

export function codexAdapterConfig(env: NodeJS.ProcessEnv): CodexAdapterConfig {
  const paths = sandboxPaths(env, 'codex');
  const sandbox = env.PADDOCK_CODEX_SANDBOX ?? 'bypass';
  if (!CODEX_SANDBOX_MODES.includes(sandbox as CodexSandboxMode)) throw new AdapterConfigError(`PADDOCK_CODEX_SANDBOX must be one of ${CODEX_SANDBOX_MODES.join(', ')}, got ${JSON.stringify(sandbox)}`);
  const retriesText = env.PADDOCK_CODEX_MAX_RETRIES;
  if (retriesText !== undefined && !/^\d{1,2}$/.test(retriesText)) throw new AdapterConfigError(`PADDOCK_CODEX_MAX_RETRIES must be a whole number from 0 to 99, got ${JSON.stringify(retriesText)}`);
  const retries = retriesText === undefined ? undefined : Number(retriesText);
  const baseUrl = env.OPENAI_BASE_URL;
  if (baseUrl !== undefined && baseUrl !== '' && !/^https?:\/\/[^\s"]+$/.test(baseUrl)) throw new AdapterConfigError(`OPENAI_BASE_URL must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  return {
    paths,
    command: resolveCli({ explicit: env.PADDOCK_CODEX_BIN, harnessDir: HARNESS_DIR, name: 'codex' }),
    model: env.PADDOCK_CODEX_MODEL || undefined,
    sandbox: sandbox as CodexSandboxMode,
    provider: baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, ''), envKey: 'OPENAI_API_KEY', requestMaxRetries: retries, streamMaxRetries: retries } : undefined,
    extraArgs: parseExtraArgs(env.PADDOCK_CODEX_EXTRA_ARGS, 'PADDOCK_CODEX_EXTRA_ARGS'),
    codexHome: env.CODEX_HOME || join(paths.home, '.codex'),
  };
}
