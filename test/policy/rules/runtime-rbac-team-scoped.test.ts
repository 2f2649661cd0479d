import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack } from '../fixtures/stack.ts';

const RULE = 'runtime-rbac-team-scoped';
const base = compliantStack();
const RUNTIME_SUBJECT = { kind: 'ServiceAccount', name: 'paddock-runtime', namespace: 'paddock-system' };

function binding(kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleName: string, namespace?: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [RUNTIME_SUBJECT],
  };
}

describe(RULE, () => {
  it('passes the compliant stack (RoleBindings in each team namespace)', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a ClusterRoleBinding that grants the runtime SandboxClaims everywhere', () => {
    const found = violationsOf(RULE, [...base, binding('ClusterRoleBinding', 'paddock-runtime', 'paddock-runtime-sandboxes')]);
    expect(where(found)).toEqual([{ rule: RULE, object: 'ClusterRoleBinding paddock-runtime', path: 'roleRef' }]);
    expect(found[0]!.message).toContain('in every namespace');
  });

  it('flags a RoleBinding outside the team namespaces', () => {
    const found = violationsOf(RULE, [...base, binding('RoleBinding', 'paddock-runtime', 'paddock-runtime-sandboxes', 'paddock-system')]);
    expect(where(found)).toEqual([{ rule: RULE, object: 'RoleBinding paddock-system/paddock-runtime', path: 'metadata.namespace' }]);
  });

  it('flags a ClusterRoleBinding of the runtime to a role the stack does not define', () => {
    const found = violationsOf(RULE, [...base, binding('ClusterRoleBinding', 'paddock-runtime-view', 'view')]);
    expect(where(found)).toEqual([{ rule: RULE, object: 'ClusterRoleBinding paddock-runtime-view', path: 'roleRef' }]);
  });

  it('ignores other subjects: the agent-sandbox controller is cluster-wide by design', () => {
    const controller = { ...binding('ClusterRoleBinding', 'other', 'paddock-runtime-sandboxes'), subjects: [{ kind: 'ServiceAccount', name: 'agent-sandbox-controller', namespace: 'agent-sandbox-system' }] };
    expect(violationsOf(RULE, [...base, controller])).toEqual([]);
  });
});
