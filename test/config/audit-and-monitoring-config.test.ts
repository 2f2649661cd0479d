/**
 * platform.runtime.auditRetentionDays and platform.monitoring (ADR 0027): defaults, bounds with
 * errors naming the key, and what reaches the runtime's config.
 */
import { describe, expect, it } from 'vitest';
import { buildRuntimeConfig, runtimeConfigSchema } from '../../config/runtime-config.ts';
import { errorLines, minimalKindConfig, validate } from '../support/fixtures.ts';

const withPlatform = (extra: Record<string, unknown>) => {
  const base = minimalKindConfig();
  return { ...base, 'paddock:platform': { ...(base['paddock:platform'] as Record<string, unknown>), ...extra } };
};

describe('audit and monitoring config', () => {
  it('defaults: audit rows kept 365 days, monitoring off', () => {
    const spec = validate(minimalKindConfig());
    expect(spec.platform.runtime.auditRetentionDays).toBe(365);
    expect(spec.platform.monitoring).toEqual({ enabled: false, selectorLabels: {} });
    const runtimeConfig = buildRuntimeConfig(spec);
    expect(runtimeConfig.auditRetentionDays).toBe(365);
    expect(runtimeConfigSchema.parse(runtimeConfig).auditRetentionDays).toBe(365);
  });

  it('takes a retention of 30 days or more, and says so for less', () => {
    expect(buildRuntimeConfig(validate(withPlatform({ runtime: { auditRetentionDays: 30 } }))).auditRetentionDays).toBe(30);
    expect(errorLines(withPlatform({ runtime: { auditRetentionDays: 7 } })).join('\n')).toMatch(/platform\.runtime\.auditRetentionDays/);
    expect(() => runtimeConfigSchema.parse({ ...buildRuntimeConfig(validate(minimalKindConfig())), auditRetentionDays: 7 })).toThrow();
  });

  it('checks monitoring labels and the Grafana namespace', () => {
    const spec = validate(withPlatform({ monitoring: { enabled: true, selectorLabels: { release: 'kube-prometheus-stack' }, grafanaNamespace: 'monitoring' } }));
    expect(spec.platform.monitoring).toEqual({ enabled: true, selectorLabels: { release: 'kube-prometheus-stack' }, grafanaNamespace: 'monitoring' });
    expect(errorLines(withPlatform({ monitoring: { enabled: true, selectorLabels: { 'bad key!': 'x' } } })).join('\n')).toMatch(/platform\.monitoring\.selectorLabels/);
    expect(errorLines(withPlatform({ monitoring: { enabled: true, selectorLabels: { release: 'has spaces' } } })).join('\n')).toMatch(/platform\.monitoring\.selectorLabels\.release.*not a label value/);
    expect(errorLines(withPlatform({ monitoring: { enabled: true, grafanaNamespace: 'Monitoring' } })).join('\n')).toMatch(/platform\.monitoring\.grafanaNamespace/);
    expect(errorLines(withPlatform({ monitoring: { enable: true } })).join('\n')).toMatch(/platform\.monitoring.*enable/);
  });
});
