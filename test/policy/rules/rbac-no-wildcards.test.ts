import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'rbac-no-wildcards';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags "*" in verbs, resources and apiGroups, each at its path', () => {
    const objects = withChange(base, 'ClusterRole', 'agent-sandbox-controller', (o) => {
      o.rules[0].verbs = ['*'];
      o.rules[1].resources = ['sandboxes', '*/status'];
      o.rules[2].apiGroups = ['*'];
    });
    const object = 'ClusterRole agent-sandbox-controller';
    expect(where(violationsOf(RULE, objects))).toEqual([
      { rule: RULE, object, path: 'rules[0].verbs' },
      { rule: RULE, object, path: 'rules[1].resources' },
      { rule: RULE, object, path: 'rules[2].apiGroups' },
    ]);
  });

  it('flags wildcards in a namespaced Role too', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'debug', namespace: 'team-alpha' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }] };
    expect(where(violationsOf(RULE, [...base, role]))).toEqual([{ rule: RULE, object: 'Role team-alpha/debug', path: 'rules[0].verbs' }]);
  });
});
