import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange, without } from '../fixtures/stack.ts';

const RULE = 'team-limit-range';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a team namespace without a LimitRange', () => {
    const objects = without(base, 'LimitRange', 'team-beta/team-limits');
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'Namespace team-beta' }]);
  });

  it('flags a LimitRange with no limits', () => {
    const objects = withChange(base, 'LimitRange', 'team-alpha/team-limits', (o) => {
      o.spec.limits = [];
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'Namespace team-alpha' }]);
  });
});
