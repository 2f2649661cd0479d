/**
 * A ServiceAccount that says whether its pods get an API token (team sandboxes: never). The
 * platform's workloads get theirs from cdk8s-plus (ADR 0022).
 */
import type { KubeObject } from '../kube-object.ts';

export function serviceAccount(namespace: string, name: string, labels: Record<string, string>, mountsApiToken: boolean): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: { ...labels } }, automountServiceAccountToken: mountsApiToken };
}
