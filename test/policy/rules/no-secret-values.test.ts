import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'no-secret-values';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack (Secrets with names and empty keys only)', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a Secret with data values, naming the keys but never the values', () => {
    const objects = withChange(base, 'Secret', 'team-alpha/paddock-team-secrets', (o) => {
      o.data = { ANTHROPIC_API_KEY: Buffer.from('sk-ant-very-secret').toString('base64'), EMPTY: '' };
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Secret team-alpha/paddock-team-secrets', path: 'data' }]);
    expect(found[0]!.message).toContain('carries values for ANTHROPIC_API_KEY in the rendered');
    expect(found[0]!.message).not.toContain('sk-ant');
  });

  it('flags stringData', () => {
    const objects = withChange(base, 'Secret', 'paddock-system/paddock-database', (o) => {
      o.stringData = { DATABASE_URL: 'postgres://x' };
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'Secret paddock-system/paddock-database', path: 'stringData' }]);
  });

  it('flags a credential-shaped ConfigMap value', () => {
    const objects = withChange(base, 'ConfigMap', 'paddock-system/paddock-runtime-config', (o) => {
      o.data['github'] = 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'ConfigMap paddock-system/paddock-runtime-config', path: 'data.github' }]);
    expect(found[0]!.message).toContain('a GitHub token');
  });
});
