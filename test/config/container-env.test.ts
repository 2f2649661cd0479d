import { describe, expect, it } from 'vitest';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { effectiveSandboxEnv, extractContainerEnv, modelGatewayEnvNames, SANDBOX_ENV_PRECEDENCE } from '../../config/container-env.ts';
import { DotenvError, parseDotenv } from '../../config/dotenv.ts';
import { CONTAINER_ENV_SECRET, TEAM_SECRETS_SECRET } from '../../config/names.ts';
import { synthesizeStack } from '../../charts-synth/synthesize.ts';
import { harnessRegistry, shippedSpec } from '../support/fixtures.ts';

const extract = (text: string) => extractContainerEnv(parseDotenv(text, '.env'), { file: '.env', platformSetNames: modelGatewayEnvNames(harnessRegistry()) });

function problems(text: string): string[] {
  try {
    extract(text);
  } catch (error) {
    expect(error).toBeInstanceOf(DotenvError);
    return (error as DotenvError).lines;
  }
  throw new Error('expected a DotenvError');
}

describe('extractContainerEnv', () => {
  it('strips the prefix, ignores other keys and sorts by name', () => {
    expect(extract('CONTAINER_ENV_ZED=z\nDATABASE_URL=postgres://ignored\nCONTAINER_ENV_GIT_AUTHOR=Bot\nCONTAINER_ENV_EMPTY=')).toEqual({ EMPTY: '', GIT_AUTHOR: 'Bot', ZED: 'z' });
  });

  it('keeps the exact value, quotes and escapes resolved by the parser', () => {
    expect(extract('export CONTAINER_ENV_NOTE="two\\nlines"')).toEqual({ NOTE: 'two\nlines' });
  });

  it('is empty for a .env without CONTAINER_ENV_ variables', () => {
    expect(extract('# nothing for sandboxes\nFOO=1')).toEqual({});
  });

  it('rejects names the platform reserves, by line', () => {
    expect(problems('CONTAINER_ENV_OK=1\nCONTAINER_ENV_HOME=/root\nCONTAINER_ENV_PADDOCK_TEAM=x\nCONTAINER_ENV_KUBERNETES_SERVICE_HOST=1.2.3.4')).toEqual([
      '.env:2: "CONTAINER_ENV_HOME" cannot be passed to sandboxes: "HOME" is reserved by the platform',
      '.env:3: "CONTAINER_ENV_PADDOCK_TEAM" cannot be passed to sandboxes: "PADDOCK_TEAM" is reserved by the platform',
      '.env:4: "CONTAINER_ENV_KUBERNETES_SERVICE_HOST" cannot be passed to sandboxes: "KUBERNETES_SERVICE_HOST" uses the prefix "KUBERNETES_", which is reserved by the platform',
    ]);
  });

  it('rejects the model gateway variables a harness gets from the platform', () => {
    expect(problems('CONTAINER_ENV_ANTHROPIC_BASE_URL=https://elsewhere')).toEqual([
      '.env:1: "CONTAINER_ENV_ANTHROPIC_BASE_URL" cannot be passed to sandboxes: "ANTHROPIC_BASE_URL" is set by the platform to the model gateway URL (harness "claude-code")',
    ]);
  });

  it('rejects a doubled prefix, an empty name and a name starting with a digit', () => {
    expect(problems('CONTAINER_ENV_CONTAINER_ENV_X=1\nCONTAINER_ENV_=2\nCONTAINER_ENV_9LIVES=3')).toEqual([
      '.env:1: "CONTAINER_ENV_CONTAINER_ENV_X" cannot be passed to sandboxes: "CONTAINER_ENV_X" uses the prefix "CONTAINER_ENV_", which is reserved by the platform',
      '.env:2: "CONTAINER_ENV_" has no variable name after the prefix CONTAINER_ENV_',
      '.env:3: "CONTAINER_ENV_9LIVES": "9LIVES" is not a valid environment variable name (it starts with a digit)',
    ]);
  });

  it('never puts a value in a message', () => {
    expect(problems('CONTAINER_ENV_HOME=hunter2-secret').join('\n')).not.toContain('hunter2');
  });
});

describe('effectiveSandboxEnv', () => {
  it('lets a team secret win over a CONTAINER_ENV_ variable, and team env win over both', () => {
    const env = effectiveSandboxEnv({
      containerEnv: { API_KEY: 'from-dotenv', SHARED: 'dotenv', ONLY_DOTENV: 'd' },
      teamSecrets: { API_KEY: 'from-team-secret', SHARED: 'secret' },
      teamEnv: { SHARED: 'team-env' },
    });
    expect(env.values).toEqual({ API_KEY: 'from-team-secret', ONLY_DOTENV: 'd', SHARED: 'team-env' });
    expect(env.sources).toEqual({ API_KEY: 'team-secret', ONLY_DOTENV: 'container-env', SHARED: 'team-env' });
    expect(env.overridden).toEqual([
      { name: 'API_KEY', winner: 'team-secret', shadowed: ['container-env'] },
      { name: 'SHARED', winner: 'team-env', shadowed: ['team-secret', 'container-env'] },
    ]);
  });

  it('is each layer alone when nothing overlaps', () => {
    const env = effectiveSandboxEnv({ containerEnv: { A: '1' }, teamSecrets: { B: '2' } });
    expect(env.values).toEqual({ A: '1', B: '2' });
    expect(env.overridden).toEqual([]);
  });

  /**
   * Kubernetes' rules for a container's environment: `envFrom` sources in order, a later
   * source overriding an earlier one, then `env` entries overriding them all.
   */
  function kubeletEnvironment(container: IContainer, secrets: Record<string, Record<string, string>>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const source of container.envFrom ?? []) Object.assign(env, secrets[source.secretRef?.name ?? '']);
    for (const entry of container.env ?? []) if (entry.value !== undefined) env[entry.name] = entry.value;
    return env;
  }

  it('matches what Kubernetes does with the rendered sandbox pod template', () => {
    const spec = shippedSpec('local');
    const team = spec.teams.find((t) => Object.keys(t.env).length > 0)!;
    const template = synthesizeStack(spec)
      .flatMap((c) => c.objects)
      .find((o) => o.kind === 'SandboxTemplate' && o.metadata.namespace === team.namespace)!;
    const container = (template.spec as { podTemplate: { spec: { containers: IContainer[] } } }).podTemplate.spec.containers[0]!;
    expect(container.envFrom?.map((e) => e.secretRef?.name)).toEqual([CONTAINER_ENV_SECRET, TEAM_SECRETS_SECRET]);

    const teamEnvName = Object.keys(team.env)[0]!;
    const containerEnv = { SHARED: 'from-dotenv', [teamEnvName]: 'from-dotenv', DOTENV_ONLY: 'd' };
    const teamSecrets = { SHARED: 'from-team-secret' };
    const kubelet = kubeletEnvironment(container, { [CONTAINER_ENV_SECRET]: containerEnv, [TEAM_SECRETS_SECRET]: teamSecrets });
    const ours = effectiveSandboxEnv({ containerEnv, teamSecrets, teamEnv: team.env }).values;
    for (const [name, value] of Object.entries(ours)) expect(kubelet[name], name).toBe(value);
    expect(SANDBOX_ENV_PRECEDENCE).toEqual(['team-env', 'team-secret', 'container-env']);
  });
});
