import { describe, expect, it } from 'vitest';
import { PolicyContext } from '../../policy/context.ts';
import { KINDS } from '../../policy/kinds.ts';
import { compliantStack, withChange, workload } from './fixtures/stack.ts';

describe('PolicyContext', () => {
  it('indexes objects by kind and by name', () => {
    const context = new PolicyContext(compliantStack());
    expect(context.ofKind(KINDS.SandboxTemplate)).toHaveLength(4);
    expect(context.find(KINDS.ServiceAccount, 'paddock-system', 'paddock-runtime')?.metadata.name).toBe('paddock-runtime');
    expect(context.find(KINDS.ClusterRole, '', 'paddock-runtime-sandboxes')?.kind).toBe('ClusterRole');
    expect(context.namespaceObject('team-alpha')?.metadata.labels?.['paddock.dev/team']).toBe('alpha');
  });

  it('counts labelled namespaces and namespaces holding sandboxes as team namespaces', () => {
    const objects = withChange(compliantStack(), 'Namespace', 'team-beta', (o) => {
      delete o.metadata.labels['paddock.dev/team'];
    });
    const context = new PolicyContext([...objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-empty', labels: { 'paddock.dev/team': 'empty' } } }]);
    expect(context.teamNamespaces()).toEqual(['team-alpha', 'team-beta', 'team-empty']);
    expect(context.isTeamNamespace('paddock-system')).toBe(false);
  });

  it('groups pod-running objects by namespace, sorted', () => {
    const context = new PolicyContext([...compliantStack(), workload('Job', 'jobs', 'j')]);
    expect([...context.podRunningNamespaces().keys()]).toEqual(['agent-sandbox-system', 'jobs', 'paddock-system', 'team-alpha', 'team-beta']);
    expect(context.podRunningNamespaces().get('jobs')!.map((o) => o.kind)).toEqual(['Job']);
  });
});
