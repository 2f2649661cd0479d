/**
 * Everything the Pulumi program needs before it creates anything: the validated PlatformSpec
 * (the same zod schema and messages as `paddock synth`), the CONTAINER_ENV_ variables of the
 * .env file, and the checked team secrets. Every problem from every source is collected and
 * reported at once; nothing is created unless all of them pass. Pure apart from the injected
 * .env reader.
 */
import { ConfigError, formatProblem, sortProblems, type ConfigProblem } from '../../config/errors.ts';
import { extractContainerEnv, modelGatewayEnvNames } from '../../config/container-env.ts';
import { DotenvError, type DotenvVariable } from '../../config/dotenv.ts';
import type { HarnessRegistry } from '../../config/harness-definition.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { validatePlatformConfig } from '../../config/validate.ts';
import { supportState, upgradeSupportType } from '../../config/versions/eks-kubernetes-versions.ts';
import { checkVersions } from '../../config/versions/version-check.ts';
import { checkEksSettings } from '../aws/eks-settings.ts';
import { missingChecksumProblem, unverifiedGvisorDownload, type GvisorDownload } from '../aws/gvisor-release.ts';
import { checkTeamSecrets, missingSecretProblems, missingTeamSecrets, TEAM_SECRETS_KEY } from './team-secrets.ts';
import { checkGatewaySecrets, GATEWAY_SECRETS_KEY, missingGatewaySecretProblems, missingGatewaySecrets } from './gateway-secrets.ts';
import { PROVIDER_KEY_ENV_NAMES } from '../../config/model-gateway.ts';
import { CONTAINER_ENV_PREFIX } from '../../config/names.ts';

export const DEFAULT_ENV_FILE = '.env';

export interface ProgramSources {
  readonly stack: string;
  /** how messages name the stack file; default stacks/Pulumi.<stack>.yaml */
  readonly stackFile?: string;
  /** every `paddock:*` config key, structured values already parsed */
  readonly config: Readonly<Record<string, unknown>>;
  readonly registry: HarnessRegistry;
  /** reads a .env file by its path relative to the project root; `required` when explicitly configured */
  readonly readEnvFile: (path: string, required: boolean) => DotenvVariable[];
  /**
   * A declared team secret without a value, or gVisor checksums not set yet: an error
   * (`pulumi up`), or listed in `missingTeamSecrets` / `unverifiedGvisorRelease` for
   * `paddock plan`, which works without them.
   */
  readonly missingTeamSecrets?: 'error' | 'report';
  /** the day the versions are checked on (config/versions/version-check.ts): the caller's clock */
  readonly today: Date;
}

export interface ProgramInputs {
  readonly spec: PlatformSpec;
  /** "stacks/Pulumi.<stack>.yaml": how messages name the stack's config */
  readonly stackFile: string;
  /** the .env path, relative to the project root */
  readonly envFile: string;
  /** CONTAINER_ENV_ variables, prefix stripped, sorted */
  readonly containerEnv: Readonly<Record<string, string>>;
  /** declared secrets without a value (empty unless `missingTeamSecrets: 'report'`) */
  readonly missingTeamSecrets: readonly { readonly team: string; readonly name: string }[];
  /** the in-cluster gateway's provider keys without a value (empty unless `missingTeamSecrets: 'report'`) */
  readonly missingGatewaySecrets: readonly string[];
  /** version warnings of `today` (extended support, standard support ending soon), one line each */
  readonly versionWarnings: readonly string[];
  /** the EKS upgrade policy the Kubernetes version's support state calls for (eks stacks only) */
  readonly eksUpgradeSupportType?: 'STANDARD' | 'EXTENDED';
  /** the gVisor release whose checksums are not set (only with `missingTeamSecrets: 'report'`) */
  readonly unverifiedGvisorRelease?: GvisorDownload;
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

export function resolveProgramInputs(sources: ProgramSources): ProgramInputs {
  const stackFile = sources.stackFile ?? stackFileName(sources.stack);
  const lines: string[] = [];

  const teamSecretsRaw = sources.config[TEAM_SECRETS_KEY];
  const forSchema: Record<string, unknown> = { ...sources.config };
  if (typeof teamSecretsRaw === 'object' && teamSecretsRaw !== null && !Array.isArray(teamSecretsRaw)) forSchema[TEAM_SECRETS_KEY] = redact(teamSecretsRaw);
  else delete forSchema[TEAM_SECRETS_KEY]; // checkTeamSecrets reports its shape, without echoing it
  const gatewaySecretsRaw = sources.config[GATEWAY_SECRETS_KEY];
  delete forSchema[GATEWAY_SECRETS_KEY]; // checkGatewaySecrets reports its problems, never its values

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

  let missing: { team: string; name: string }[] = [];
  let missingGateway: string[] = [];
  let versionWarnings: string[] = [];
  let unverified: GvisorDownload | undefined;
  if (spec) {
    const problems: ConfigProblem[] = [...checkTeamSecrets(teamSecretsRaw, spec.teams, sources.stack)];
    missing = missingTeamSecrets(teamSecretsRaw, spec.teams);
    if (sources.missingTeamSecrets !== 'report') problems.push(...missingSecretProblems(missing, sources.stack));
    problems.push(...checkGatewaySecrets(gatewaySecretsRaw, spec, sources.stack));
    missingGateway = missingGatewaySecrets(gatewaySecretsRaw, spec);
    if (sources.missingTeamSecrets !== 'report') problems.push(...missingGatewaySecretProblems(missingGateway, sources.stack));
    if (spec.platform.eks) problems.push(...checkEksSettings(spec.platform.eks, spec.platform.network));
    const versions = checkVersions(spec.platform, sources.today);
    problems.push(...versions.errors);
    versionWarnings = sortProblems(versions.warnings).map((p) => formatProblem(stackFile, p));
    unverified = unverifiedGvisorDownload(spec);
    if (unverified && sources.missingTeamSecrets !== 'report') problems.push(missingChecksumProblem(unverified));
    lines.push(...sortProblems(problems).map((p) => formatProblem(stackFile, p)));
    // the gateway Paddock runs holds the provider keys: none may reach a team namespace through .env either
    if (spec.platform.modelGateway.deploy) {
      for (const name of Object.keys(containerEnv).filter((n) => PROVIDER_KEY_ENV_NAMES.includes(n))) {
        lines.push(`${envFile}: ${CONTAINER_ENV_PREFIX}${name}: is a model provider's key, and the model gateway runs in the cluster: every team namespace would get it. Remove it; set it once for the gateway with \`pulumi config set -s ${sources.stack} --secret --path '${GATEWAY_SECRETS_KEY}.${name}'\` (sandboxes get their team's gateway key)`);
      }
      // every team harness with model variables then has a model, which wins over .env: refuse rather than lose it silently
      const modelEnv = new Set(spec.teams.flatMap((t) => t.harnesses.flatMap((h) => (h.model === undefined ? [] : h.definition.modelEnv))));
      for (const name of Object.keys(containerEnv).filter((n) => modelEnv.has(n))) {
        lines.push(`${envFile}: ${CONTAINER_ENV_PREFIX}${name}: is set by the platform to each team harness's model while the model gateway runs in the cluster; remove it and choose the model in the stack (paddock:teams[].harnesses[].model)`);
      }
    }
  }

  if (lines.length > 0 || !spec) throw new ProgramInputError(lines);
  return {
    spec,
    stackFile,
    envFile,
    containerEnv,
    versionWarnings,
    ...(spec.platform.eks ? { eksUpgradeSupportType: upgradeSupportType(supportState(spec.platform.eks.kubernetesVersion, sources.today)) } : {}),
    missingTeamSecrets: sources.missingTeamSecrets === 'report' ? missing : [],
    missingGatewaySecrets: sources.missingTeamSecrets === 'report' ? missingGateway : [],
    ...(unverified ? { unverifiedGvisorRelease: unverified } : {}),
  };
}
