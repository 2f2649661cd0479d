/**
 * Runs the real Pulumi program for a shipped stack under Pulumi's mocks (the engine behind
 * `paddock plan`), with a fixture .env and fixture team secret values whose text is easy to
 * search for. The Pulumi runtime is process-global: one run per test file (vitest runs each
 * file in its own process).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { readStackFile } from '../../../config/stack-file.ts';
import type { PlatformSpec } from '../../../config/platform-spec.ts';
import { runOfflinePlan, type OfflinePlan, type PlannedResource } from '../../../infra/plan/offline-plan.ts';
import { engineConfig, planConfigFromStackFile, withGvisorChecksumPlaceholders } from '../../../infra/plan/plan-config.ts';
import { loadProgramInputs } from '../../../infra/program.ts';
import { isSecretValue } from '../../../infra/plan/mocks.ts';

/** Values that must never appear outside a Pulumi secret. */
export const FIXTURE_DOTENV_SECRET = 'dotenv-fixture-value-5b1f0c';
export const FIXTURE_TEAM_SECRET_PREFIX = 'team-secret-fixture-';
export const FIXTURE_GATEWAY_SECRET_PREFIX = 'gateway-secret-fixture-';
/** The day the program checks versions on in these runs: the shipped versions' state does not move with the calendar. */
export const PROGRAM_DAY = new Date('2026-12-04T12:00:00Z');

export interface ProgramRun {
  readonly spec: PlatformSpec;
  readonly plan: OfflinePlan;
  readonly teamSecrets: Record<string, Record<string, string>>;
  /** the in-cluster gateway's provider keys (paddock:gatewaySecrets) */
  readonly gatewaySecrets: Record<string, string>;
  readonly containerEnv: Record<string, string>;
}

/** Every declared team secret gets a value, and the .env sets CONTAINER_ENV_ variables (one overlaps a team secret). */
export async function runShippedStack(stack: 'local' | 'prod'): Promise<ProgramRun> {
  const file = readStackFile(`stacks/Pulumi.${stack}.yaml`);
  const probe = loadProgramInputs(stack, planConfigFromStackFile(file.config).config, { missingTeamSecrets: 'report', today: PROGRAM_DAY });
  const teamSecrets: Record<string, Record<string, string>> = {};
  for (const team of probe.spec.teams) teamSecrets[team.name] = Object.fromEntries(team.secrets.map((name) => [name, `${FIXTURE_TEAM_SECRET_PREFIX}${team.name}-${name}`]));

  const overlapping = probe.spec.teams.flatMap((t) => t.secrets)[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'paddock-program-'));
  const envFile = join(dir, 'fixture.env');
  writeFileSync(envFile, `# fixture\nCONTAINER_ENV_GIT_COMMITTER_NAME="Paddock Bot"\nexport CONTAINER_ENV_SHARED_TOKEN=${FIXTURE_DOTENV_SECRET}\nCONTAINER_ENV_${overlapping}=from-dotenv-${FIXTURE_DOTENV_SECRET}\nNOT_FOR_SANDBOXES=ignored-${FIXTURE_DOTENV_SECRET}\n`);

  // the shipped prod stack pins no gVisor checksums yet: planned, like `paddock plan`, with placeholders
  const gatewaySecrets = Object.fromEntries(probe.missingGatewaySecrets.map((name) => [name, `${FIXTURE_GATEWAY_SECRET_PREFIX}${name}`]));
  const config = withGvisorChecksumPlaceholders(planConfigFromStackFile(file.config, { 'paddock:envFile': envFile, 'paddock:teamSecrets': teamSecrets, 'paddock:gatewaySecrets': gatewaySecrets }), probe.unverifiedGvisorRelease);
  const inputs = loadProgramInputs(stack, config.config, { today: PROGRAM_DAY });
  const plan = await runOfflinePlan({ stack, config: engineConfig(config.config), secretKeys: config.secretKeys, region: inputs.spec.platform.eks?.region ?? 'mock-region-1', today: PROGRAM_DAY });
  return { spec: inputs.spec, plan, teamSecrets, gatewaySecrets, containerEnv: { ...inputs.containerEnv } };
}

export function ofType(plan: OfflinePlan, type: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

export function one(plan: OfflinePlan, type: string, name: string): PlannedResource {
  const found = plan.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} ${name}, found ${found.length}`);
  return found[0]!;
}

/** A Secret's data as the program passed it, unwrapped, after asserting every value is a Pulumi secret. */
export function secretData(resource: PlannedResource): Record<string, string> {
  const data = resource.inputs.stringData;
  if (isSecretValue(data)) return data.value as Record<string, string>;
  const entries = Object.entries(data as Record<string, unknown>);
  for (const [key, value] of entries) if (!isSecretValue(value)) throw new Error(`${resource.name}: key ${key} is not a Pulumi secret`);
  return Object.fromEntries(entries.map(([k, v]) => [k, (v as { value: string }).value]));
}

export const MANIFESTS_DIR = 'manifests';

/** The objects committed under manifests/<stack>/, read from the YAML files. */
export function committedObjects(stack: string): KubeObject[] {
  const dir = join(MANIFESTS_DIR, stack);
  if (!existsSync(dir)) throw new Error(`${dir}/ does not exist: run \`npm run synth\` and commit the result`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.k8s.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as KubeObject | null))
    .filter((o): o is KubeObject => o !== null);
}

export function committedText(stack: string): string {
  const dir = join(MANIFESTS_DIR, stack);
  return readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}
