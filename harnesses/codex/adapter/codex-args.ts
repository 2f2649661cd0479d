/**
 * The `codex` command line for one turn (pure): `codex exec --json` (or `codex exec resume
 * <thread> --json`) with the prompt on stdin (`-`). When a gateway URL is given, a custom model
 * provider points Codex at it — plain HTTPS/SSE on the Responses API, no WebSocket transport,
 * the key read from the env var the SandboxTemplate fills.
 */

export type CodexSandboxMode = 'bypass' | 'workspace-write' | 'read-only' | 'danger-full-access';
export const CODEX_SANDBOX_MODES: readonly CodexSandboxMode[] = ['bypass', 'workspace-write', 'read-only', 'danger-full-access'];

export interface CodexProvider {
  /** the Responses API base, e.g. http://gateway:4000/v1 */
  readonly baseUrl: string;
  /** the env var holding the key (its value never appears on the command line) */
  readonly envKey: string;
  readonly requestMaxRetries?: number | undefined;
  readonly streamMaxRetries?: number | undefined;
}

export interface CodexTurnPlan {
  /** resume this thread, or start a new one */
  readonly resumeThreadId?: string | undefined;
  readonly workspace: string;
  readonly sandbox: CodexSandboxMode;
  readonly model?: string | undefined;
  readonly provider?: CodexProvider | undefined;
  readonly extraArgs?: readonly string[];
}

/** A TOML basic string: JSON string escapes are valid TOML for the characters URLs and names use. */
const toml = (value: string) => JSON.stringify(value);

export function codexConfigOverrides(plan: Pick<CodexTurnPlan, 'provider' | 'sandbox'>): string[] {
  const overrides = ['check_for_update_on_startup=false'];
  if (plan.sandbox !== 'bypass') overrides.push(`sandbox_mode=${toml(plan.sandbox)}`);
  const p = plan.provider;
  if (p) {
    overrides.push(
      `model_provider=${toml('paddock')}`,
      `model_providers.paddock.name=${toml('Paddock model gateway')}`,
      `model_providers.paddock.base_url=${toml(p.baseUrl)}`,
      `model_providers.paddock.env_key=${toml(p.envKey)}`,
      `model_providers.paddock.wire_api=${toml('responses')}`,
      'model_providers.paddock.supports_websockets=false',
      ...(p.requestMaxRetries !== undefined ? [`model_providers.paddock.request_max_retries=${p.requestMaxRetries}`] : []),
      ...(p.streamMaxRetries !== undefined ? [`model_providers.paddock.stream_max_retries=${p.streamMaxRetries}`] : []),
    );
  }
  return overrides.flatMap((o) => ['-c', o]);
}

export function codexArgs(plan: CodexTurnPlan): string[] {
  return [
    'exec',
    ...(plan.resumeThreadId ? ['resume'] : []),
    '--json',
    '--skip-git-repo-check',
    // the sandbox pod is the isolation boundary; codex's own Linux sandbox needs kernel features
    // (user namespaces, landlock) that a restricted pod does not grant
    ...(plan.sandbox === 'bypass' ? ['--dangerously-bypass-approvals-and-sandbox'] : []),
    ...(plan.resumeThreadId ? [] : ['--cd', plan.workspace]),
    ...(plan.model ? ['--model', plan.model] : []),
    ...codexConfigOverrides(plan),
    ...(plan.extraArgs ?? []),
    ...(plan.resumeThreadId ? [plan.resumeThreadId] : []),
    '-',
  ];
}
