import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'rbac-secrets-access';
const base = compliantStack();

function role(rules: Record<string, unknown>[]): KubeObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'read-db-secret', namespace: 'paddock-system' }, rules };
}

describe(RULE, () => {
  it('passes the compliant stack, and a Role reading one named Secret', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
    const named = role([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['paddock-database'], verbs: ['get', 'watch'] }]);
    expect(violationsOf(RULE, [...base, named])).toEqual([]);
  });

  it('flags a Role on every Secret of its namespace', () => {
    const found = violationsOf(RULE, [...base, role([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }])]);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Role paddock-system/read-db-secret', path: 'rules[0]' }]);
  });

  it('flags verbs resourceNames cannot restrict', () => {
    const found = violationsOf(RULE, [...base, role([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['x'], verbs: ['get', 'create'] }])]);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Role paddock-system/read-db-secret', path: 'rules[0].verbs' }]);
    expect(found[0]!.message).toContain('verbs create on Secrets ignore resourceNames');
  });

  it('flags any Secret access in a ClusterRole, even with resourceNames', () => {
    const objects = withChange(base, 'ClusterRole', 'paddock-runtime-sandboxes', (o) => {
      o.rules.push({ apiGroups: [''], resources: ['secrets'], resourceNames: ['paddock-team-secrets'], verbs: ['get'] });
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'ClusterRole paddock-runtime-sandboxes', path: 'rules[2]' }]);
  });

  it('flags a binding to the built-in edit role', () => {
    const objects = withChange(base, 'RoleBinding', 'team-beta/paddock-runtime', (o) => {
      o.roleRef.name = 'edit';
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'RoleBinding team-beta/paddock-runtime', path: 'roleRef' }]);
  });
});
