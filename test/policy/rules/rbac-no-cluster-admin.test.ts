import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'rbac-no-cluster-admin';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a ClusterRoleBinding to cluster-admin', () => {
    const objects = withChange(base, 'ClusterRoleBinding', 'agent-sandbox-controller', (o) => {
      o.roleRef.name = 'cluster-admin';
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'ClusterRoleBinding agent-sandbox-controller', path: 'roleRef' }]);
  });

  it('flags a namespaced RoleBinding to cluster-admin and a system:masters subject', () => {
    const objects = withChange(base, 'RoleBinding', 'team-alpha/paddock-runtime', (o) => {
      o.roleRef.name = 'cluster-admin';
      o.subjects.push({ kind: 'Group', name: 'system:masters', apiGroup: 'rbac.authorization.k8s.io' });
    });
    const object = 'RoleBinding team-alpha/paddock-runtime';
    expect(where(violationsOf(RULE, objects))).toEqual([
      { rule: RULE, object, path: 'roleRef' },
      { rule: RULE, object, path: 'subjects[1]' },
    ]);
  });
});
