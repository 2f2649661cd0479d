import { describe, expect, it } from 'vitest';
import { ENCRYPTED_PLACEHOLDER, engineConfig, MISSING_PLACEHOLDER, planConfigFromStackFile, withMissingSecretPlaceholders } from '../../../infra/plan/plan-config.ts';

describe('plan config', () => {
  it('replaces every encrypted value by a placeholder and marks its key secret', () => {
    const plan = planConfigFromStackFile({
      'paddock:platform': { environment: 'kind' },
      'paddock:teamSecrets': { web: { A: { secure: 'v1:abc' }, B: { secure: 'v1:def' } } },
    });
    expect(plan.config['paddock:teamSecrets']).toEqual({ web: { A: ENCRYPTED_PLACEHOLDER, B: ENCRYPTED_PLACEHOLDER } });
    expect(plan.encryptedValues).toBe(2);
    expect(plan.secretKeys).toEqual(['paddock:teamSecrets']);
    expect(JSON.stringify(plan.config)).not.toContain('v1:abc');
  });

  it('fills declared secrets without a value, keeping the ones that have one', () => {
    const plan = withMissingSecretPlaceholders(planConfigFromStackFile({ 'paddock:teamSecrets': { web: { A: { secure: 'x' } } } }), [{ team: 'web', name: 'B' }, { team: 'api', name: 'C' }]);
    expect(plan.config['paddock:teamSecrets']).toEqual({ web: { A: ENCRYPTED_PLACEHOLDER, B: MISSING_PLACEHOLDER }, api: { C: MISSING_PLACEHOLDER } });
    expect(plan.secretKeys).toContain('paddock:teamSecrets');
  });

  it('applies overrides and passes structured values as JSON text, like the engine', () => {
    const plan = planConfigFromStackFile({ 'paddock:envFile': '.env', 'paddock:teams': [{ name: 'a' }] }, { 'paddock:envFile': '/abs/fixture.env' });
    expect(engineConfig(plan.config)).toEqual({ 'paddock:envFile': '/abs/fixture.env', 'paddock:teams': '[{"name":"a"}]' });
  });
});
