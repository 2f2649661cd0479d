/** .env may not set a harness's model variables while Paddock runs the gateway: the team harness's model would silently win. */
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../../config/dotenv.ts';
import { ProgramInputError, resolveProgramInputs, type ProgramSources } from '../../../infra/inputs/program-inputs.ts';
import { harnessRegistry, minimalKindConfig, team } from '../../support/fixtures.ts';

const quota = { cpu: '8', memory: '16Gi', maxSandboxes: 2 };

function deployed(): Record<string, unknown> {
  const base = minimalKindConfig([team('a', { quota, harnesses: [{ name: 'claude-code' }] })]);
  (base['paddock:platform'] as Record<string, unknown>).modelGateway = { deploy: 'litellm', models: [{ name: 'claude', model: 'anthropic/claude-sonnet-4-5' }], providerSecrets: ['ANTHROPIC_API_KEY'] };
  return { ...base, 'paddock:gatewaySecrets': { ANTHROPIC_API_KEY: 'sk-ant-x' } };
}

function sources(cfg: Record<string, unknown>, env: string): ProgramSources {
  return { stack: 'test', config: cfg, registry: harnessRegistry(), today: new Date('2026-12-04T09:00:00Z'), readEnvFile: (path) => parseDotenv(env, path) };
}

describe('.env and the model variables', () => {
  it('refuses CONTAINER_ENV_ of a model variable while the gateway runs, naming the stack key to use', () => {
    let lines: string[] = [];
    try {
      resolveProgramInputs(sources(deployed(), 'CONTAINER_ENV_ANTHROPIC_DEFAULT_HAIKU_MODEL=claude-haiku\nCONTAINER_ENV_GIT_AUTHOR_NAME=bot\n'));
    } catch (error) {
      if (!(error instanceof ProgramInputError)) throw error;
      lines = [...error.lines];
    }
    expect(lines).toEqual([
      `.env: CONTAINER_ENV_ANTHROPIC_DEFAULT_HAIKU_MODEL: is set by the platform to each team harness's model while the model gateway runs in the cluster; remove it and choose the model in the stack (paddock:teams[].harnesses[].model)`,
    ]);
  });

  it('keeps it with a gateway Paddock does not run (a default for team harnesses without a model)', () => {
    const inputs = resolveProgramInputs(sources(minimalKindConfig([team('a', { quota, harnesses: [{ name: 'claude-code' }] })]), 'CONTAINER_ENV_ANTHROPIC_MODEL=m\n'));
    expect(inputs.containerEnv).toEqual({ ANTHROPIC_MODEL: 'm' });
  });
});
