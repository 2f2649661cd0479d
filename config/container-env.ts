/**
 * `CONTAINER_ENV_*` variables of a `.env` file: every `CONTAINER_ENV_<NAME>=<value>` becomes
 * `<NAME>=<value>` in the Secret `paddock-container-env` of every team namespace.
 *
 * Precedence inside a sandbox container, highest first (documented in docs/deploying.md):
 *   1. platform env (HOME, PADDOCK_*, the model gateway URL vars, a team harness's model vars): reserved, so never shadowed;
 *      a CONTAINER_ENV_ or team secret with such a name is an error, not a silent loss
 *   2. the team's `env` (non-secret, per team): a container `env` entry, which Kubernetes lets
 *      win over every `envFrom` source
 *   3. the team's secrets (`paddock-team-secrets`): listed after the container env in `envFrom`,
 *      and the later `envFrom` source wins, so a team secret beats a CONTAINER_ENV_ variable
 *   4. `CONTAINER_ENV_*` (`paddock-container-env`): the platform-wide defaults
 * `effectiveSandboxEnv` computes the same result, for `paddock plan` and the tests.
 */
import { DotenvError, type DotenvProblem, type DotenvVariable } from './dotenv.ts';
import type { HarnessRegistry } from './harness-definition.ts';
import { CONTAINER_ENV_PREFIX, reservedEnvReason } from './names.ts';

export interface ContainerEnvOptions {
  /** the .env file as messages name it */
  readonly file: string;
  /** names the platform sets besides the reserved ones (e.g. ANTHROPIC_BASE_URL -> the model gateway) */
  readonly platformSetNames?: ReadonlyMap<string, string>;
}

/** Env names the platform sets for some harness (the model gateway URL), with the reason. */
export function modelGatewayEnvNames(registry: HarnessRegistry): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of registry.values()) {
    for (const env of definition.modelGatewayEnv) names.set(env.name, `"${env.name}" is set by the platform to the model gateway URL (harness "${definition.name}")`);
  }
  return names;
}

/** The CONTAINER_ENV_ variables with the prefix stripped, sorted by name. Other keys are ignored. */
export function extractContainerEnv(variables: readonly DotenvVariable[], options: ContainerEnvOptions): Record<string, string> {
  const problems: DotenvProblem[] = [];
  const env: [string, string][] = [];
  for (const variable of variables) {
    if (!variable.key.startsWith(CONTAINER_ENV_PREFIX)) continue;
    const name = variable.key.slice(CONTAINER_ENV_PREFIX.length);
    if (name === '') {
      problems.push({ line: variable.line, message: `"${variable.key}" has no variable name after the prefix ${CONTAINER_ENV_PREFIX}` });
      continue;
    }
    if (/^[0-9]/.test(name)) {
      problems.push({ line: variable.line, message: `"${variable.key}": "${name}" is not a valid environment variable name (it starts with a digit)` });
      continue;
    }
    const reserved = reservedEnvReason(name) ?? options.platformSetNames?.get(name);
    if (reserved) {
      problems.push({ line: variable.line, message: `"${variable.key}" cannot be passed to sandboxes: ${reserved}` });
      continue;
    }
    env.push([name, variable.value]);
  }
  if (problems.length > 0) throw new DotenvError(options.file, problems);
  return Object.fromEntries(env.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export type SandboxEnvSource = 'team-env' | 'team-secret' | 'container-env';

/** Highest precedence first. */
export const SANDBOX_ENV_PRECEDENCE: readonly SandboxEnvSource[] = ['team-env', 'team-secret', 'container-env'];

export interface SandboxEnvLayers<V> {
  readonly containerEnv: Readonly<Record<string, V>>;
  readonly teamSecrets: Readonly<Record<string, V>>;
  readonly teamEnv?: Readonly<Record<string, V>>;
}

export interface EffectiveSandboxEnv<V> {
  /** what the container sees, by name (sorted) */
  readonly values: Readonly<Record<string, V>>;
  readonly sources: Readonly<Record<string, SandboxEnvSource>>;
  /** names set by more than one layer: which layer won and which lost */
  readonly overridden: readonly { readonly name: string; readonly winner: SandboxEnvSource; readonly shadowed: readonly SandboxEnvSource[] }[];
}

/** Merges the layers a sandbox receives: team env > team secret > CONTAINER_ENV_. */
export function effectiveSandboxEnv<V>(layers: SandboxEnvLayers<V>): EffectiveSandboxEnv<V> {
  const bySource: Record<SandboxEnvSource, Readonly<Record<string, V>>> = {
    'team-env': layers.teamEnv ?? {},
    'team-secret': layers.teamSecrets,
    'container-env': layers.containerEnv,
  };
  const names = [...new Set(SANDBOX_ENV_PRECEDENCE.flatMap((s) => Object.keys(bySource[s])))].sort();
  const values: Record<string, V> = {};
  const sources: Record<string, SandboxEnvSource> = {};
  const overridden: { name: string; winner: SandboxEnvSource; shadowed: SandboxEnvSource[] }[] = [];
  for (const name of names) {
    const present = SANDBOX_ENV_PRECEDENCE.filter((s) => Object.hasOwn(bySource[s], name));
    const winner = present[0]!;
    values[name] = bySource[winner][name] as V;
    sources[name] = winner;
    if (present.length > 1) overridden.push({ name, winner, shadowed: present.slice(1) });
  }
  return { values, sources, overridden };
}
