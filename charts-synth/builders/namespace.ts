/** Namespaces with Pod Security "restricted" enforced, audited and warned. */
import type { KubeObject } from '../kube-object.ts';
import { MANAGED_BY_LABELS } from '../../config/names.ts';

export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/audit-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'latest',
} as const;

export function restrictedNamespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...MANAGED_BY_LABELS, ...POD_SECURITY_LABELS, ...labels } },
  };
}
