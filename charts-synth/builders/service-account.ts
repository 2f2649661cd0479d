/**
 * A ServiceAccount that says whether its pods get an API token: only workloads that call the
 * Kubernetes API (the two controllers) mount one.
 */
import type { KubeObject } from '../kube-object.ts';

export function serviceAccount(namespace: string, name: string, labels: Record<string, string>, mountsApiToken: boolean): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: { ...labels } }, automountServiceAccountToken: mountsApiToken };
}
