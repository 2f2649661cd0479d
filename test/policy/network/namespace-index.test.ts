import { describe, expect, it } from 'vitest';
import { ALL_NAMESPACES, NamespaceIndex } from '../../../policy/network/namespace-index.ts';

const index = new NamespaceIndex([
  { name: 'team-a', labels: { 'paddock.dev/team': 'a', tier: 'team' } },
  { name: 'team-b', labels: { 'paddock.dev/team': 'b', tier: 'team' } },
  { name: 'paddock-system', labels: { tier: 'platform' } },
  { name: 'kube-system' },
]);

describe('NamespaceIndex', () => {
  it('adds the kubernetes.io/metadata.name label to every namespace, known or not', () => {
    expect(index.labels('team-a')['kubernetes.io/metadata.name']).toBe('team-a');
    expect(index.labels('litellm')).toEqual({ 'kubernetes.io/metadata.name': 'litellm' });
    expect(index.matches({ matchLabels: { 'kubernetes.io/metadata.name': 'litellm' } }, 'litellm')).toBe(true);
  });

  it('selects by labels and expressions, sorted', () => {
    expect([...(index.select({ matchLabels: { tier: 'team' } }) as Set<string>)]).toEqual(['team-a', 'team-b']);
    expect([...(index.select({ matchExpressions: [{ key: 'paddock.dev/team', operator: 'In', values: ['b', 'a'] }] }) as Set<string>)]).toEqual(['team-a', 'team-b']);
    expect([...(index.select({ matchExpressions: [{ key: 'paddock.dev/team', operator: 'Exists' }] }) as Set<string>)]).toEqual(['team-a', 'team-b']);
    expect([...(index.select({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }) as Set<string>)]).toEqual(['kube-system']);
    expect([...(index.select({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['team'] }] }) as Set<string>)]).toEqual(['kube-system', 'paddock-system']);
    expect([...(index.select({ matchLabels: { tier: 'team', 'paddock.dev/team': 'b' } }) as Set<string>)]).toEqual(['team-b']);
    expect(index.select({})).toBe(ALL_NAMESPACES);
  });

  it('builds from objects with the built-in namespaces', () => {
    const fromObjects = NamespaceIndex.fromObjects([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { x: 'y' } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'elsewhere' } },
    ]);
    expect(fromObjects.names).toEqual(['default', 'elsewhere', 'kube-node-lease', 'kube-public', 'kube-system', 'team-a']);
    expect(fromObjects.labels('team-a')).toEqual({ x: 'y', 'kubernetes.io/metadata.name': 'team-a' });
  });
});
