/**
 * The in-cluster gateway's provider keys in the program's inputs: checked against
 * modelGateway.providerSecrets, missing ones named with the command that sets them, never a
 * value in a message; and no provider key may reach team namespaces through .env.
 */
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../../config/dotenv.ts';
import { ProgramInputError, resolveProgramInputs, type ProgramSources } from '../../../infra/inputs/program-inputs.ts';
import { gatewaySecretValues } from '../../../infra/inputs/gateway-secrets.ts';
import { withMissingGatewaySecretPlaceholders, planConfigFromStackFile, MISSING_PLACEHOLDER } from '../../../infra/plan/plan-config.ts';
import { harnessRegistry, minimalKindConfig, team } from '../../support/fixtures.ts';

const VALUE = 'sk-ant-do-not-print-7731';
const F = 'stacks/Pulumi.test.yaml';

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = minimalKindConfig([team('a')]);
  (base['paddock:platform'] as Record<string, unknown>).modelGateway = {
    deploy: 'litellm',
    models: [{ name: 'claude', model: 'anthropic/claude-sonnet-4-5' }],
    providerSecrets: ['ANTHROPIC_API_KEY'],
  };
  return { ...base, ...extra };
}

function sources(cfg: Record<string, unknown>, env = '', extra: Partial<ProgramSources> = {}): ProgramSources {
  return { stack: 'test', config: cfg, registry: harnessRegistry(), today: new Date('2026-12-04T09:00:00Z'), readEnvFile: (path) => parseDotenv(env, path), ...extra };
}

function errorLines(cfg: Record<string, unknown>, env = ''): string[] {
  try {
    resolveProgramInputs(sources(cfg, env));
  } catch (error) {
    if (error instanceof ProgramInputError) return [...error.lines];
    throw error;
  }
  throw new Error('expected the inputs to be refused');
}

describe('paddock:gatewaySecrets', () => {
  it('accepts a value for every declared provider key, and reads only those', () => {
    const inputs = resolveProgramInputs(sources(config({ 'paddock:gatewaySecrets': { ANTHROPIC_API_KEY: VALUE } })));
    expect(inputs.missingGatewaySecrets).toEqual([]);
    expect(gatewaySecretValues({ ANTHROPIC_API_KEY: VALUE, OTHER: 'x' }, ['ANTHROPIC_API_KEY'])).toEqual({ ANTHROPIC_API_KEY: VALUE });
  });

  it('names a missing provider key with the command that sets it (pulumi up), or reports it (plan)', () => {
    expect(errorLines(config())).toEqual([
      `${F}: paddock:gatewaySecrets.ANTHROPIC_API_KEY: paddock:platform.modelGateway.providerSecrets names "ANTHROPIC_API_KEY" but no value is set: pulumi config set -s test --secret --path 'paddock:gatewaySecrets.ANTHROPIC_API_KEY' <value>`,
    ]);
    expect(resolveProgramInputs(sources(config(), '', { missingTeamSecrets: 'report' })).missingGatewaySecrets).toEqual(['ANTHROPIC_API_KEY']);
  });

  it('refuses undeclared names, empty values and values without a gateway to give them to, quoting no value', () => {
    const lines = errorLines(config({ 'paddock:gatewaySecrets': { ANTHROPIC_API_KEY: '', OPENAI_API_KEY: VALUE } }));
    expect(lines).toEqual([
      `${F}: paddock:gatewaySecrets.ANTHROPIC_API_KEY: is empty`,
      `${F}: paddock:gatewaySecrets.OPENAI_API_KEY: "OPENAI_API_KEY" is not in paddock:platform.modelGateway.providerSecrets (ANTHROPIC_API_KEY): add it there, or remove the value with \`pulumi config rm -s test --path 'paddock:gatewaySecrets.OPENAI_API_KEY'\``,
    ]);
    const external = { ...minimalKindConfig([team('a')]), 'paddock:gatewaySecrets': { ANTHROPIC_API_KEY: VALUE } };
    const externalLines = errorLines(external);
    expect(externalLines).toEqual([`${F}: paddock:gatewaySecrets: is only used by the gateway Paddock runs (paddock:platform.modelGateway.deploy: litellm); remove it with \`pulumi config rm -s test paddock:gatewaySecrets\``]);
    for (const line of [...lines, ...externalLines]) expect(line).not.toContain(VALUE);
  });

  it('refuses a provider key in the .env file while the gateway runs (every team namespace would get it)', () => {
    const lines = errorLines(config({ 'paddock:gatewaySecrets': { ANTHROPIC_API_KEY: VALUE } }), `CONTAINER_ENV_ANTHROPIC_API_KEY=${VALUE}\nCONTAINER_ENV_GIT_AUTHOR_NAME=bot\n`);
    expect(lines).toEqual([
      `.env: CONTAINER_ENV_ANTHROPIC_API_KEY: is a model provider's key, and the model gateway runs in the cluster: every team namespace would get it. Remove it; set it once for the gateway with \`pulumi config set -s test --secret --path 'paddock:gatewaySecrets.ANTHROPIC_API_KEY'\` (sandboxes get their team's gateway key)`,
    ]);
    // an external gateway leaves .env as it was
    expect(resolveProgramInputs(sources(minimalKindConfig([team('a')]), `CONTAINER_ENV_ANTHROPIC_API_KEY=${VALUE}\n`)).containerEnv).toEqual({ ANTHROPIC_API_KEY: VALUE });
  });

  it('plans a missing provider key with a placeholder, always as a secret key', () => {
    const plan = withMissingGatewaySecretPlaceholders(planConfigFromStackFile(config()), ['ANTHROPIC_API_KEY']);
    expect(plan.config['paddock:gatewaySecrets']).toEqual({ ANTHROPIC_API_KEY: MISSING_PLACEHOLDER });
    expect(plan.secretKeys).toContain('paddock:gatewaySecrets');
    expect(planConfigFromStackFile({ 'paddock:gatewaySecrets': { ANTHROPIC_API_KEY: { secure: 'v1:abc' } } }).secretKeys).toEqual(['paddock:gatewaySecrets']);
  });
});
