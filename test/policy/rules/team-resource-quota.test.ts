import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange, without } from '../fixtures/stack.ts';

const RULE = 'team-resource-quota';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a team namespace without a ResourceQuota', () => {
    const objects = without(base, 'ResourceQuota', 'team-alpha/team-quota');
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Namespace team-alpha' }]);
    expect(found[0]!.message).toContain('has no ResourceQuota');
  });

  it('flags a quota that caps neither memory', () => {
    const objects = withChange(base, 'ResourceQuota', 'team-beta/team-quota', (o) => {
      o.spec.hard = { 'requests.cpu': '4', pods: '10' };
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Namespace team-beta' }]);
    expect(found[0]!.message).toContain('do not cap memory');
  });
});
