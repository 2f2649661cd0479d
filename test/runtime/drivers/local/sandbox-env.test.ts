import { describe, expect, it } from 'vitest';
import { buildSandboxEnv, containerEnv } from '../../../../runtime/drivers/local/sandbox-env.ts';

describe('sandbox environment', () => {
  it('strips CONTAINER_ENV_, drops reserved and invalid names, and ignores everything else', () => {
    expect(containerEnv({ CONTAINER_ENV_A: '1', CONTAINER_ENV_HOME: '/x', CONTAINER_ENV_: 'empty', CONTAINER_ENV_KUBERNETES_X: 'k', OTHER: 'o', CONTAINER_ENV_B: undefined })).toEqual({
      env: { A: '1' },
      ignored: ['CONTAINER_ENV_: "" is not a valid variable name', 'CONTAINER_ENV_HOME: "HOME" is reserved by the platform', 'CONTAINER_ENV_KUBERNETES_X: "KUBERNETES_X" uses the prefix "KUBERNETES_", which is reserved by the platform'],
    });
  });

  it('layers CONTAINER_ENV_ < team env < model gateway < platform variables', () => {
    const { env } = buildSandboxEnv({
      runtimeEnv: { PATH: '/bin', CONTAINER_ENV_X: 'container', CONTAINER_ENV_Y: 'container', CONTAINER_ENV_OPENAI_BASE_URL: 'container', SECRET: 's' },
      team: { name: 'red', namespace: 'team-red', env: { Y: 'team', OPENAI_BASE_URL: 'team' }, harnesses: [] },
      harness: { name: 'codex', warmPool: 'codex', port: 8080, modelGatewayEnv: [{ name: 'OPENAI_BASE_URL', path: '/v1' }] },
      modelGatewayUrl: 'http://gw:4000/',
      port: 4321,
      token: 't'.repeat(40),
      workspace: '/w',
      home: '/h',
    });
    expect(env).toEqual({
      X: 'container',
      Y: 'team',
      OPENAI_BASE_URL: 'http://gw:4000/v1',
      PATH: '/bin',
      HOME: '/h',
      PADDOCK_HARNESS: 'codex',
      PADDOCK_HARNESS_PORT: '4321',
      PADDOCK_HARNESS_HOST: '127.0.0.1',
      PADDOCK_TEAM: 'red',
      PADDOCK_WORKSPACE: '/w',
      PADDOCK_SANDBOX_TOKEN: 't'.repeat(40),
      PADDOCK_MODEL_GATEWAY_URL: 'http://gw:4000',
    });
  });

  it('sets the model variables of the team harness to its model, over CONTAINER_ENV_ and team env', () => {
    const { env } = buildSandboxEnv({
      runtimeEnv: { CONTAINER_ENV_ANTHROPIC_MODEL: 'container' },
      team: { name: 'red', namespace: 'team-red', env: { ANTHROPIC_DEFAULT_HAIKU_MODEL: 'team' }, harnesses: [] },
      harness: { name: 'claude-code', warmPool: 'claude-code', port: 8080, modelGatewayEnv: [], model: { name: 'claude-sonnet-4-5', env: ['PADDOCK_CLAUDE_MODEL', 'ANTHROPIC_MODEL', 'ANTHROPIC_DEFAULT_HAIKU_MODEL'] } },
      modelGatewayUrl: 'http://gw:4000',
      port: 4321,
      token: 't'.repeat(40),
      workspace: '/w',
      home: '/h',
    });
    expect({ a: env.PADDOCK_CLAUDE_MODEL, b: env.ANTHROPIC_MODEL, c: env.ANTHROPIC_DEFAULT_HAIKU_MODEL }).toEqual({ a: 'claude-sonnet-4-5', b: 'claude-sonnet-4-5', c: 'claude-sonnet-4-5' });
  });
});
