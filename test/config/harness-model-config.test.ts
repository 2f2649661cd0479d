import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.ts';
import { HARNESSES_DIR, parseHarnessDefinition } from '../../harnesses/registry.ts';
import { errorLines, harnessRegistry, minimalKindConfig, shippedSpec, team, validate } from '../support/fixtures.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { buildRuntimeConfig } from '../../config/runtime-config.ts';

const F = 'stacks/Pulumi.test.yaml';

const MODELS = [
  { name: 'claude-sonnet', model: 'anthropic/claude-sonnet-4-5' },
  { name: 'gpt', model: 'openai/gpt-5' },
];

function deployedConfig(teams: unknown[]): Record<string, unknown> {
  const config = minimalKindConfig(teams);
  (config['paddock:platform'] as Record<string, unknown>).modelGateway = { deploy: 'litellm', models: MODELS, providerSecrets: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'] };
  return config;
}

const quota = { cpu: '8', memory: '16Gi', maxSandboxes: 4 };

function modelOf(spec: PlatformSpec, teamName: string, harness: string): string | undefined {
  return spec.teams.find((t) => t.name === teamName)!.harnesses.find((h) => h.name === harness)!.model;
}

describe('harness definitions name their model variables', () => {
  it('claude-code: the adapter, the background model and every alias the CLI resolves; codex: the adapter; scripted: none', () => {
    const registry = harnessRegistry();
    expect(registry.get('claude-code')!.modelEnv).toEqual([
      'PADDOCK_CLAUDE_MODEL',
      'ANTHROPIC_MODEL',
      'ANTHROPIC_DEFAULT_HAIKU_MODEL',
      'ANTHROPIC_SMALL_FAST_MODEL',
      'ANTHROPIC_DEFAULT_SONNET_MODEL',
      'ANTHROPIC_DEFAULT_OPUS_MODEL',
      'ANTHROPIC_DEFAULT_FABLE_MODEL',
      'CLAUDE_CODE_SUBAGENT_MODEL',
    ]);
    expect(registry.get('codex')!.modelEnv).toEqual(['PADDOCK_CODEX_MODEL']);
    expect(registry.get('scripted')!.modelEnv).toEqual([]);
  });

  it('refuses a model variable listed twice or that already carries the gateway URL or key', () => {
    const text = readFileSync(join(HARNESSES_DIR, 'codex', 'harness.yaml'), 'utf8').replace(/^modelEnv: .*$/m, 'modelEnv: [PADDOCK_CODEX_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY, PADDOCK_CODEX_MODEL]');
    expect(() => parseHarnessDefinition(text, 'harnesses/codex/harness.yaml', 'codex')).toThrow(ConfigError);
    try {
      parseHarnessDefinition(text, 'harnesses/codex/harness.yaml', 'codex');
    } catch (error) {
      expect((error as ConfigError).lines).toEqual([
        'harnesses/codex/harness.yaml: modelEnv[1]: "OPENAI_BASE_URL" already receives the model gateway URL (modelGatewayEnv)',
        'harnesses/codex/harness.yaml: modelEnv[2]: "OPENAI_API_KEY" already receives the team\'s gateway key (modelGatewayKeyEnv)',
        'harnesses/codex/harness.yaml: modelEnv[3]: "PADDOCK_CODEX_MODEL" is listed twice',
      ]);
    }
  });
});

describe('teams[].harnesses[].model with the gateway Paddock runs', () => {
  it('takes the given model when the team may use it', () => {
    const spec = validate(deployedConfig([team('a', { quota, harnesses: [{ name: 'claude-code', model: 'claude-sonnet' }, { name: 'codex', model: 'gpt' }] })]));
    expect(modelOf(spec, 'a', 'claude-code')).toBe('claude-sonnet');
    expect(modelOf(spec, 'a', 'codex')).toBe('gpt');
  });

  it('left out, defaults to the team’s only model', () => {
    const spec = validate(deployedConfig([team('a', { quota, models: ['gpt'], harnesses: [{ name: 'codex' }] })]));
    expect(modelOf(spec, 'a', 'codex')).toBe('gpt');
  });

  it('left out with several allowed models, asks to choose, naming team, harness and the models', () => {
    expect(errorLines(deployedConfig([team('a', { quota, harnesses: [{ name: 'scripted' }, { name: 'claude-code' }] })]))).toEqual([
      `${F}: paddock:teams[0].harnesses[1]: team "a", harness "claude-code": choose the model the agent asks the gateway for with "model" (one of "claude-sonnet", "gpt": every model of paddock:platform.modelGateway.models, as the team names no "models"); its CLI's own default model would be refused by the team's gateway key`,
    ]);
    expect(errorLines(deployedConfig([team('a', { quota, models: ['gpt', 'claude-sonnet'], harnesses: [{ name: 'codex' }] })]))).toEqual([
      `${F}: paddock:teams[0].harnesses[0]: team "a", harness "codex": choose the model the agent asks the gateway for with "model" (one of "claude-sonnet", "gpt": the team's "models"); its CLI's own default model would be refused by the team's gateway key`,
    ]);
  });

  it('refuses a model the team’s key may not use, naming team, harness, model and the allowed list', () => {
    expect(errorLines(deployedConfig([team('a', { quota, models: ['claude-sonnet'], harnesses: [{ name: 'codex', model: 'gpt' }] })]))).toEqual([
      `${F}: paddock:teams[0].harnesses[0].model: team "a", harness "codex": model "gpt" is not one the team's gateway key may use ("claude-sonnet": the team's "models")`,
    ]);
    expect(errorLines(deployedConfig([team('a', { quota, harnesses: [{ name: 'codex', model: 'gpt-4o' }] })]))).toEqual([
      `${F}: paddock:teams[0].harnesses[0].model: team "a", harness "codex": model "gpt-4o" is not one the team's gateway key may use ("claude-sonnet", "gpt": every model of paddock:platform.modelGateway.models, as the team names no "models")`,
    ]);
  });

  it('a harness without model variables needs no model, and refuses one', () => {
    const spec = validate(deployedConfig([team('a', { quota })]));
    expect(modelOf(spec, 'a', 'scripted')).toBeUndefined();
    expect(errorLines(deployedConfig([team('a', { quota, harnesses: [{ name: 'scripted', model: 'gpt' }] })]))).toEqual([
      `${F}: paddock:teams[0].harnesses[0].model: team "a", harness "scripted": this harness names no model variables (modelEnv in harnesses/scripted/harness.yaml), so a model has nothing to set; remove it`,
    ]);
  });

  it('the model variables are the platform’s: team env and secrets may not set them', () => {
    const lines = errorLines(deployedConfig([team('a', { quota, models: ['claude-sonnet'], harnesses: [{ name: 'claude-code' }], env: { ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-haiku' } })]));
    expect(lines).toEqual([`${F}: paddock:teams[0].env.ANTHROPIC_DEFAULT_HAIKU_MODEL: "ANTHROPIC_DEFAULT_HAIKU_MODEL" is set by the platform to the model of harness "claude-code" (its "model", "claude-sonnet")`]);
    const secret = errorLines(deployedConfig([team('a', { quota, harnesses: [{ name: 'claude-code', model: 'claude-sonnet' }], secrets: ['ANTHROPIC_SMALL_FAST_MODEL'] })]));
    expect(secret).toEqual([`${F}: paddock:teams[0].secrets[0]: "ANTHROPIC_SMALL_FAST_MODEL" is set by the platform to the model of harness "claude-code" (its "model", "claude-sonnet")`]);
  });
});

describe('teams[].harnesses[].model with a gateway Paddock does not run', () => {
  it('is optional, passed through as given, and leaves the (non-PADDOCK_) variables to the team when left out', () => {
    const given = validate(minimalKindConfig([team('a', { quota, harnesses: [{ name: 'codex', model: 'my-gateway-model' }] })]));
    expect(modelOf(given, 'a', 'codex')).toBe('my-gateway-model');
    const omitted = validate(minimalKindConfig([team('a', { quota, harnesses: [{ name: 'claude-code' }], env: { ANTHROPIC_MODEL: 'sonnet-via-my-gateway' } })]));
    expect(modelOf(omitted, 'a', 'claude-code')).toBeUndefined();
    expect(omitted.teams[0]!.env).toEqual({ ANTHROPIC_MODEL: 'sonnet-via-my-gateway' });
    // given, the variables are the platform's here too
    expect(errorLines(minimalKindConfig([team('a', { quota, harnesses: [{ name: 'claude-code', model: 'm' }], env: { ANTHROPIC_MODEL: 'other' } })]))).toEqual([
      `${F}: paddock:teams[0].env.ANTHROPIC_MODEL: "ANTHROPIC_MODEL" is set by the platform to the model of harness "claude-code" (its "model", "m")`,
    ]);
  });
});

describe('the shipped stacks', () => {
  it('give every harness with model variables a model its team may use', () => {
    for (const stack of ['local', 'prod'] as const) {
      for (const t of shippedSpec(stack).teams) {
        for (const h of t.harnesses) {
          if (h.definition.modelEnv.length === 0) expect(h.model).toBeUndefined();
          else expect(t.gateway!.models).toContain(h.model);
        }
      }
    }
    expect(modelOf(shippedSpec('local'), 'platform', 'claude-code')).toBe('claude-sonnet-4-5');
    expect(modelOf(shippedSpec('prod'), 'web-platform', 'codex')).toBe('gpt-5');
  });
});

describe('the runtime config (dev mode\'s local driver sets the same variables)', () => {
  it('carries each team harness\'s model and its variables; none for a harness without model variables', () => {
    const platform = buildRuntimeConfig(shippedSpec('local')).teams.find((t) => t.name === 'platform')!;
    const claude = platform.harnesses.find((h) => h.name === 'claude-code')!;
    expect(claude.model).toEqual({ name: 'claude-sonnet-4-5', env: harnessRegistry().get('claude-code')!.modelEnv });
    expect(platform.harnesses.find((h) => h.name === 'scripted')!.model).toBeUndefined();
    const external = buildRuntimeConfig(validate(minimalKindConfig([team('a', { quota, harnesses: [{ name: 'codex' }] })])));
    expect(external.teams[0]!.harnesses[0]!.model).toBeUndefined();
  });
});
