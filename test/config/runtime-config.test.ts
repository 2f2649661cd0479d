import { describe, expect, it } from 'vitest';
import { buildRuntimeConfig, runtimeConfigSchema } from '../../config/runtime-config.ts';
import { errorLines, minimalKindConfig, team, validate } from '../support/fixtures.ts';

const withRuntime = (runtime: Record<string, unknown>) => {
  const config = minimalKindConfig([team('web')]);
  return { ...config, 'paddock:platform': { ...(config['paddock:platform'] as object), runtime } };
};

describe('runtime.sandboxLifetimeHours', () => {
  it('defaults to 24 hours and reaches the runtime as the claims\' lifetime in seconds', () => {
    const spec = validate(minimalKindConfig([team('web')]));
    expect(spec.platform.runtime.sandboxLifetimeHours).toBe(24);
    const config = buildRuntimeConfig(spec);
    expect(config.sandboxLifetimeSeconds).toBe(86_400);
    expect(runtimeConfigSchema.parse(config)).toEqual(config);
    expect(buildRuntimeConfig(validate(withRuntime({ sandboxLifetimeHours: 2 }))).sandboxLifetimeSeconds).toBe(7_200);
  });

  it('is at least an hour and at most 30 days, named with the file and path when it is not', () => {
    expect(errorLines(withRuntime({ sandboxLifetimeHours: 0 }))).toEqual([expect.stringMatching(/^stacks\/Pulumi\.test\.yaml: paddock:platform\.runtime\.sandboxLifetimeHours: .*1/)]);
    expect(errorLines(withRuntime({ sandboxLifetimeHours: 721 }))).toEqual([expect.stringMatching(/^stacks\/Pulumi\.test\.yaml: paddock:platform\.runtime\.sandboxLifetimeHours: .*720/)]);
  });
});
