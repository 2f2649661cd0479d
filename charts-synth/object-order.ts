/** Deterministic object order inside a file: dependencies first, then namespace and name. */
import type { KubeObject } from './kube-object.ts';
import { compareText } from '../config/compare.ts';

const KIND_ORDER = [
  'CustomResourceDefinition', 'Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'ServiceAccount',
  'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ConfigMap', 'Secret', 'Service',
  'StatefulSet', 'Deployment', 'PodDisruptionBudget', 'SandboxTemplate', 'SandboxWarmPool',
];

function rank(kind: string): number {
  const index = KIND_ORDER.indexOf(kind);
  return index === -1 ? KIND_ORDER.length : index;
}

export function compareObjects(a: KubeObject, b: KubeObject): number {
  return (
    rank(a.kind) - rank(b.kind) ||
    compareText(a.kind, b.kind) ||
    compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    compareText(a.metadata.name, b.metadata.name)
  );
}

export function sortObjects(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort(compareObjects);
}
