import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { platformEnv, sandboxPodTemplate } from '../../../charts-synth/builders/sandbox-pod-template.ts';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { minimalKindConfig, team, validate } from '../../support/fixtures.ts';

const quota = { cpu: '8', memory: '16Gi', maxSandboxes: 4 };

function deployedSpec(teams: unknown[]) {
  const config = minimalKindConfig(teams);
  (config['paddock:platform'] as Record<string, unknown>).modelGateway = {
    deploy: 'litellm',
    models: [
      { name: 'claude-sonnet', model: 'anthropic/claude-sonnet-4-5' },
      { name: 'gpt', model: 'openai/gpt-5' },
    ],
    providerSecrets: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'],
  };
  return validate(config);
}

const byName = (env: readonly IEnvVar[]) => new Map(env.map((e) => [e.name, e]));

describe('sandbox pod template: the model the agent asks for', () => {
  it('sets every model variable of the harness to its model, as a plain value', () => {
    const spec = deployedSpec([team('a', { quota, harnesses: [{ name: 'claude-code', model: 'claude-sonnet' }, { name: 'codex', model: 'gpt' }, { name: 'scripted' }] })]);
    const t = spec.teams[0]!;
    const [claude, codex, scripted] = ['claude-code', 'codex', 'scripted'].map((n) => t.harnesses.find((h) => h.name === n)!);
    const claudeEnv = byName(sandboxPodTemplate(t, claude!, spec.platform.modelGateway).spec!.containers[0]!.env!);
    for (const name of claude!.definition.modelEnv) expect(claudeEnv.get(name)).toEqual({ name, value: 'claude-sonnet' });
    expect(claudeEnv.get('ANTHROPIC_DEFAULT_HAIKU_MODEL')).toEqual({ name: 'ANTHROPIC_DEFAULT_HAIKU_MODEL', value: 'claude-sonnet' });
    // the key stays a Secret reference next to it
    expect(claudeEnv.get('ANTHROPIC_API_KEY')).toEqual({ name: 'ANTHROPIC_API_KEY', valueFrom: { secretKeyRef: { name: 'paddock-gateway-key', key: 'key' } } });
    const codexEnv = byName(platformEnv(t, codex!, spec.platform.modelGateway));
    expect(codexEnv.get('PADDOCK_CODEX_MODEL')).toEqual({ name: 'PADDOCK_CODEX_MODEL', value: 'gpt' });
    expect(codexEnv.has('PADDOCK_CLAUDE_MODEL')).toBe(false);
    const scriptedNames = platformEnv(t, scripted!, spec.platform.modelGateway).map((e) => e.name);
    expect(scriptedNames.filter((n) => n.includes('MODEL') && n !== 'PADDOCK_MODEL_GATEWAY_URL')).toEqual([]);
  });

  it('with a gateway Paddock does not run and no model, sets none (the CLI keeps its default)', () => {
    const spec = validate(minimalKindConfig([team('a', { quota, harnesses: [{ name: 'codex' }] })]));
    const t = spec.teams[0]!;
    const names = platformEnv(t, t.harnesses[0]!, spec.platform.modelGateway).map((e) => e.name);
    expect(names).not.toContain('PADDOCK_CODEX_MODEL');
  });

  it('the rendered prod manifests carry each team harness’s model', () => {
    const templates = parseAllDocuments(readFileSync('manifests/prod/team-web-platform.k8s.yaml', 'utf8'))
      .map((d) => d.toJS() as { kind?: string; metadata: { name: string }; spec: { podTemplate: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } })
      .filter((o) => o?.kind === 'SandboxTemplate');
    const envOf = (name: string) => new Map(templates.find((o) => o.metadata.name === name)!.spec.podTemplate.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    expect(envOf('claude-code').get('PADDOCK_CLAUDE_MODEL')).toBe('claude-sonnet-4-5');
    expect(envOf('claude-code').get('ANTHROPIC_DEFAULT_HAIKU_MODEL')).toBe('claude-sonnet-4-5');
    expect(envOf('codex').get('PADDOCK_CODEX_MODEL')).toBe('gpt-5');
  });
});
