/**
 * The environment an agent CLI runs with: the sandbox's own environment (the gateway URL and the
 * key the SandboxTemplate injected, the team's env) minus what only the adapter may see. The
 * per-sandbox token authenticates the runtime to this adapter; the agent executes arbitrary
 * commands, so it must never be able to read it.
 */

/** Variables the adapter keeps to itself. */
export const ADAPTER_ONLY_ENV = ['PADDOCK_SANDBOX_TOKEN'] as const;

export function cliEnv(base: NodeJS.ProcessEnv, overrides: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of ADAPTER_ONLY_ENV) delete env[name];
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
