import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange, without } from '../fixtures/stack.ts';

const RULE = 'default-deny-network-policy';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a team namespace without one', () => {
    const objects = without(base, 'NetworkPolicy', 'team-beta/default-deny');
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'Namespace team-beta' }]);
  });

  it('flags a platform namespace without one', () => {
    const objects = without(base, 'NetworkPolicy', 'paddock-system/default-deny');
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'Namespace paddock-system' }]);
  });

  it.each([
    ['denies only ingress (policyTypes omitted)', (spec: Record<string, unknown>) => delete spec.policyTypes],
    ['denies only ingress (policyTypes [Ingress])', (spec: Record<string, unknown>) => (spec.policyTypes = ['Ingress'])],
    ['denies only egress (policyTypes [Egress])', (spec: Record<string, unknown>) => (spec.policyTypes = ['Egress'])],
    ['admits some ingress', (spec: Record<string, unknown>) => (spec.ingress = [{ ports: [{ port: 8080, protocol: 'TCP' }] }])],
    ['selects only some pods', (spec: Record<string, unknown>) => (spec.podSelector = { matchLabels: { app: 'x' } })],
    ['admits something', (spec: Record<string, unknown>) => (spec.egress = [{ ports: [{ port: 53, protocol: 'UDP' }] }])],
  ])('does not count a policy that %s', (_, change) => {
    const objects = withChange(base, 'NetworkPolicy', 'team-alpha/default-deny', (o) => change(o.spec));
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'Namespace team-alpha' }]);
  });
});
