/** Shared test fixtures: the real harness registry and a minimal valid stack config. */
import { loadHarnessRegistry } from '../../harnesses/registry.ts';
import type { HarnessRegistry } from '../../config/harness-definition.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { validatePlatformConfig } from '../../config/validate.ts';
import { loadPlatformSpec } from '../../config/stack-file.ts';

let registry: HarnessRegistry | undefined;
export function harnessRegistry(): HarnessRegistry {
  registry ??= loadHarnessRegistry();
  return registry;
}

export const SHIPPED_STACKS = ['local', 'prod'] as const;

export function shippedSpec(stack: (typeof SHIPPED_STACKS)[number]): PlatformSpec {
  return loadPlatformSpec(`stacks/Pulumi.${stack}.yaml`, harnessRegistry());
}

export function minimalKindConfig(teams: unknown[] = []): Record<string, unknown> {
  return {
    'paddock:platform': {
      environment: 'kind',
      clusterName: 'test',
      modelGateway: { url: 'http://gateway.example:4000', cidrs: ['203.0.113.0/24'] },
    },
    'paddock:teams': teams,
  };
}

export function team(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, harnesses: [{ name: 'scripted', warmPool: 1 }], quota: { cpu: '2', memory: '2Gi', maxSandboxes: 2 }, ...overrides };
}

export function validate(config: unknown, file = 'stacks/Pulumi.test.yaml'): PlatformSpec {
  return validatePlatformConfig(config, { file, stack: 'test', registry: harnessRegistry() });
}

/** The ConfigError lines of an invalid config (fails the test when the config is valid). */
export function errorLines(config: unknown, file = 'stacks/Pulumi.test.yaml'): string[] {
  try {
    validate(config, file);
  } catch (error) {
    const lines = (error as { lines?: string[] }).lines;
    if (lines) return lines;
    throw error;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

/** Many teams for scale tests and benchmarks. */
export function manyTeamsConfig(count: number): Record<string, unknown> {
  const teams = Array.from({ length: count }, (_, i) => ({
    name: `team-${String(i).padStart(4, '0')}`,
    harnesses: [{ name: 'claude-code', warmPool: 1 }, { name: 'codex', warmPool: 0 }],
    quota: { cpu: '8', memory: '16Gi', maxSandboxes: 4 },
    egress: [{ cidr: '140.82.112.0/20', ports: [443] }],
    env: { TEAM_INDEX: String(i) },
    secrets: ['ANTHROPIC_API_KEY'],
  }));
  return { ...minimalKindConfig(teams) };
}
