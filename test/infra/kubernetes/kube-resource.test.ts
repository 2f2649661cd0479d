import { describe, expect, it } from 'vitest';
import { isBuiltInGroup, kubeObjectResource, resourceNameOf } from '../../../infra/kubernetes/kube-resource.ts';

describe('kube-resource', () => {
  it('tells built-in API groups from CRD-served ones', () => {
    for (const v of ['v1', 'apps/v1', 'policy/v1', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1', 'apiextensions.k8s.io/v1']) expect(isBuiltInGroup(v), v).toBe(true);
    for (const v of ['extensions.agents.x-k8s.io/v1beta1', 'agents.x-k8s.io/v1beta1', 'crd.projectcalico.org/v1']) expect(isBuiltInGroup(v), v).toBe(false);
  });

  it('names resources namespace/name, or name when cluster-scoped', () => {
    expect(resourceNameOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } })).toBe('n/c');
    expect(resourceNameOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })).toBe('n');
  });

  it('refuses a built-in kind without a typed class, instead of applying it untyped', () => {
    expect(() => kubeObjectResource({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e', namespace: 'n' } }, {})).toThrow('no @pulumi/kubernetes type registered for built-in kind v1/Endpoints (n/e)');
  });
});
