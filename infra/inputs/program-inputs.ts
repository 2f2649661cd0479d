/**
 * Everything the Pulumi program needs before it creates anything: the validated PlatformSpec
 * (the same zod schema and messages as `paddock synth`), the CONTAINER_ENV_ variables of the
 * .env file, and the checked team secrets. Every problem from every source is collected and
 * reported at once; nothing is created unless all of them pass. Pure apart from the injected
 * .env reader.
 */
import { ConfigError, formatProblem, type ConfigProblem } from '../../config/errors.ts';
import { extractContainerEnv } from '../../config/container-env.ts';
import { DotenvError, type DotenvVariable } from '../../config/dotenv.ts';
import type { HarnessRegistry } from '../../config/harness-definition.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { validatePlatformConfig } from '../../config/validate.ts';
import { checkEksSettings } from '../aws/eks-settings.ts';
import { checkTeamSecrets, TEAM_SECRETS_KEY } from './team-secrets.ts';

export const DEFAULT_ENV_FILE = '.env';

export interface ProgramSources {
  readonly stack: string;
  /** every `paddock:*` config key, structured values already parsed */
  readonly config: Readonly<Record<string, unknown>>;
  readonly registry: HarnessRegistry;
  /** reads a .env file by its path relative to the project root; `required` when explicitly configured */
  readonly readEnvFile: (path: string, required: boolean) => DotenvVariable[];
}

export interface ProgramInputs {
  readonly spec: PlatformSpec;
  /** "stacks/Pulumi.<stack>.yaml": how messages name the stack's config */
  readonly stackFile: string;
  /** the .env path, relative to the project root */
  readonly envFile: string;
  /** CONTAINER_ENV_ variables, prefix stripped, sorted */
  readonly containerEnv: Readonly<Record<string, string>>;
}

/** Every config problem of a program run, one line each, from whichever file it belongs to. */
export class ProgramInputError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
    this.name = 'ProgramInputError';
  }
}

export function stackFileName(stack: string): string {
  return `stacks/Pulumi.${stack}.yaml`;
}

/** Values replaced by a placeholder: validation sees the shape, never a secret. */
function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  return '[secret]';
}

/** Env names the platform sets for some harness (the model gateway URL), with the reason. */
export function modelGatewayEnvNames(registry: HarnessRegistry): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of registry.values()) {
    for (const env of definition.modelGatewayEnv) names.set(env.name, `"${env.name}" is set by the platform to the model gateway URL (harness "${definition.name}")`);
  }
  return names;
}

export function resolveProgramInputs(sources: ProgramSources): ProgramInputs {
  const stackFile = stackFileName(sources.stack);
  const lines: string[] = [];

  const teamSecretsRaw = sources.config[TEAM_SECRETS_KEY];
  const forSchema: Record<string, unknown> = { ...sources.config };
  if (typeof teamSecretsRaw === 'object' && teamSecretsRaw !== null && !Array.isArray(teamSecretsRaw)) forSchema[TEAM_SECRETS_KEY] = redact(teamSecretsRaw);
  else delete forSchema[TEAM_SECRETS_KEY]; // checkTeamSecrets reports its shape, without echoing it

  let spec: PlatformSpec | undefined;
  try {
    spec = validatePlatformConfig(forSchema, { file: stackFile, stack: sources.stack, registry: sources.registry });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    lines.push(...error.lines);
  }

  const configured = sources.config['paddock:envFile'];
  const envFile = typeof configured === 'string' && configured !== '' ? configured : DEFAULT_ENV_FILE;
  let containerEnv: Record<string, string> = {};
  try {
    containerEnv = extractContainerEnv(sources.readEnvFile(envFile, envFile !== DEFAULT_ENV_FILE), { file: envFile, platformSetNames: modelGatewayEnvNames(sources.registry) });
  } catch (error) {
    if (!(error instanceof DotenvError)) throw error;
    lines.push(...error.lines);
  }

  if (spec) {
    const problems: ConfigProblem[] = [...checkTeamSecrets(teamSecretsRaw, spec.teams, sources.stack)];
    if (spec.platform.eks) problems.push(...checkEksSettings(spec.platform.eks, spec.platform.network));
    lines.push(...problems.map((p) => formatProblem(stackFile, p)));
  }

  if (lines.length > 0 || !spec) throw new ProgramInputError(lines);
  return { spec, stackFile, envFile, containerEnv };
}
