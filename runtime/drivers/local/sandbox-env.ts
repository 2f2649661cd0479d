/**
 * The environment of a sandbox started by the local driver (pure). Lowest to highest
 * precedence: the runtime's CONTAINER_ENV_* variables with the prefix stripped, the team's
 * env, the model gateway variables of the harness and its model variables, then the platform's own variables. Nothing
 * else of the runtime's environment leaks in (no DATABASE_URL, no cloud credentials).
 */
import type { RuntimeHarnessConfig, RuntimeTeamConfig } from '../../../config/runtime-config.ts';
import { CONTAINER_ENV_PREFIX, reservedEnvReason } from '../../../config/names.ts';

export interface SandboxEnvInput {
  readonly runtimeEnv: Readonly<Record<string, string | undefined>>;
  readonly team: RuntimeTeamConfig;
  readonly harness: RuntimeHarnessConfig;
  readonly modelGatewayUrl: string;
  readonly port: number;
  readonly token: string;
  readonly workspace: string;
  readonly home: string;
}

export interface SandboxEnv {
  readonly env: Record<string, string>;
  /** CONTAINER_ENV_ names that were dropped, with why */
  readonly ignored: readonly string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** CONTAINER_ENV_FOO=bar -> FOO=bar, for every variable of `env` with the prefix. */
export function containerEnv(env: Readonly<Record<string, string | undefined>>): { env: Record<string, string>; ignored: string[] } {
  const out: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(CONTAINER_ENV_PREFIX) || value === undefined) continue;
    const stripped = name.slice(CONTAINER_ENV_PREFIX.length);
    if (!ENV_NAME.test(stripped)) {
      ignored.push(`${name}: "${stripped}" is not a valid variable name`);
      continue;
    }
    const reserved = reservedEnvReason(stripped);
    if (reserved) {
      ignored.push(`${name}: ${reserved}`);
      continue;
    }
    out[stripped] = value;
  }
  return { env: out, ignored };
}

export function buildSandboxEnv(input: SandboxEnvInput): SandboxEnv {
  const fromContainerEnv = containerEnv(input.runtimeEnv);
  const gatewayBase = input.modelGatewayUrl.replace(/\/+$/, '');
  const gateway = Object.fromEntries(input.harness.modelGatewayEnv.map((e) => [e.name, `${gatewayBase}${e.path}`]));
  // the model the stack chose for this team harness, as its SandboxTemplate sets it
  const model = Object.fromEntries((input.harness.model?.env ?? []).map((name) => [name, input.harness.model!.name]));
  const env: Record<string, string> = {
    ...fromContainerEnv.env,
    ...input.team.env,
    ...gateway,
    ...model,
    PATH: input.runtimeEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: input.home,
    PADDOCK_HARNESS: input.harness.name,
    PADDOCK_HARNESS_PORT: String(input.port),
    PADDOCK_HARNESS_HOST: '127.0.0.1',
    PADDOCK_TEAM: input.team.name,
    PADDOCK_WORKSPACE: input.workspace,
    PADDOCK_SANDBOX_TOKEN: input.token,
    PADDOCK_MODEL_GATEWAY_URL: gatewayBase,
  };
  return { env, ignored: fromContainerEnv.ignored };
}
