import { describe, expect, it } from 'vitest';
import { PolicyContext } from '../../../policy/context.ts';
import { coversResource, isServiceAccountSubject, resolveRoleRef } from '../../../policy/rbac/rbac.ts';
import { compliantStack } from '../fixtures/stack.ts';

describe('RBAC reading', () => {
  it('matches resources, subresources and wildcards in the right group', () => {
    expect(coversResource({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }, '', 'secrets')).toBe(true);
    expect(coversResource({ apiGroups: [''], resources: ['secrets/status'], verbs: ['get'] }, '', 'secrets')).toBe(true);
    expect(coversResource({ apiGroups: ['*'], resources: ['*'], verbs: ['get'] }, '', 'secrets')).toBe(true);
    expect(coversResource({ apiGroups: ['apps'], resources: ['secrets'], verbs: ['get'] }, '', 'secrets')).toBe(false);
    expect(coversResource({ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }, '', 'secrets')).toBe(false);
  });

  it('resolves a binding to the role the stack renders', () => {
    const objects = compliantStack();
    const context = new PolicyContext(objects);
    const binding = objects.find((o) => o.kind === 'RoleBinding')!;
    expect(resolveRoleRef(binding, context)?.metadata.name).toBe('paddock-runtime-sandboxes');
    expect(resolveRoleRef({ ...binding, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'missing' } }, context)).toBeUndefined();
  });

  it('defaults a ServiceAccount subject to the binding namespace', () => {
    expect(isServiceAccountSubject({ kind: 'ServiceAccount', name: 'paddock-runtime' }, 'paddock-system', 'paddock-runtime', 'paddock-system')).toBe(true);
    expect(isServiceAccountSubject({ kind: 'ServiceAccount', name: 'paddock-runtime' }, 'paddock-system', 'paddock-runtime', 'team-a')).toBe(false);
    expect(isServiceAccountSubject({ kind: 'User', name: 'paddock-runtime' }, 'paddock-system', 'paddock-runtime', 'paddock-system')).toBe(false);
  });
});
