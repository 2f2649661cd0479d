/** The runtime config's gatewayKeys: what the runtime's key reconciler converges the in-cluster gateway to. */
import { describe, expect, it } from 'vitest';
import { buildRuntimeConfig, runtimeConfigSchema } from '../../config/runtime-config.ts';
import { minimalKindConfig, team, validate } from '../support/fixtures.ts';

const MODELS = [
  { name: 'claude-sonnet', model: 'anthropic/claude-sonnet-4-5' },
  { name: 'gpt', model: 'openai/gpt-5' },
];

describe('runtime config gatewayKeys', () => {
  it('carries every team\'s models, budget and limits when Paddock runs the gateway, and no secret', () => {
    const config = minimalKindConfig([team('web', { models: ['gpt'], budget: { maxUsd: 25, period: '30d' }, rpm: 60, tpm: 100_000 }), team('data')]);
    (config['paddock:platform'] as Record<string, unknown>).modelGateway = { deploy: 'litellm', models: MODELS, providerSecrets: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'] };
    const runtime = buildRuntimeConfig(validate(config));
    expect(runtime.gatewayKeys).toEqual({
      kind: 'litellm',
      teams: [
        { name: 'data', models: ['claude-sonnet', 'gpt'] },
        { name: 'web', models: ['gpt'], budget: { maxUsd: 25, period: '30d' }, rpm: 60, tpm: 100_000 },
      ],
    });
    expect(runtimeConfigSchema.parse(runtime)).toEqual(runtime);
    expect(JSON.stringify(runtime)).not.toMatch(/sk-|OPENAI_API_KEY/);
  });

  it('is absent with a gateway Paddock does not run', () => {
    const runtime = buildRuntimeConfig(validate(minimalKindConfig([team('web')])));
    expect(runtime.gatewayKeys).toBeUndefined();
    expect(runtimeConfigSchema.parse(runtime)).toEqual(runtime);
  });
});
