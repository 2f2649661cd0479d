/**
 * The kinds the policy reads, by API group and kind (a CRD may reuse a built-in kind's name in
 * another group; matching the group too keeps rules from reading the wrong shape).
 */
import type { KubeObject } from '../charts-synth/kube-object.ts';

export interface KindRef {
  readonly group: string;
  readonly kind: string;
}

const ref = (group: string, kind: string): KindRef => ({ group, kind });

export const KINDS = {
  Namespace: ref('', 'Namespace'),
  Pod: ref('', 'Pod'),
  Secret: ref('', 'Secret'),
  ConfigMap: ref('', 'ConfigMap'),
  ServiceAccount: ref('', 'ServiceAccount'),
  ResourceQuota: ref('', 'ResourceQuota'),
  LimitRange: ref('', 'LimitRange'),
  ReplicationController: ref('', 'ReplicationController'),
  Deployment: ref('apps', 'Deployment'),
  StatefulSet: ref('apps', 'StatefulSet'),
  DaemonSet: ref('apps', 'DaemonSet'),
  ReplicaSet: ref('apps', 'ReplicaSet'),
  Job: ref('batch', 'Job'),
  CronJob: ref('batch', 'CronJob'),
  NetworkPolicy: ref('networking.k8s.io', 'NetworkPolicy'),
  PodDisruptionBudget: ref('policy', 'PodDisruptionBudget'),
  Role: ref('rbac.authorization.k8s.io', 'Role'),
  ClusterRole: ref('rbac.authorization.k8s.io', 'ClusterRole'),
  RoleBinding: ref('rbac.authorization.k8s.io', 'RoleBinding'),
  ClusterRoleBinding: ref('rbac.authorization.k8s.io', 'ClusterRoleBinding'),
  Sandbox: ref('agents.x-k8s.io', 'Sandbox'),
  SandboxTemplate: ref('extensions.agents.x-k8s.io', 'SandboxTemplate'),
  SandboxClaim: ref('extensions.agents.x-k8s.io', 'SandboxClaim'),
  SandboxWarmPool: ref('extensions.agents.x-k8s.io', 'SandboxWarmPool'),
} as const satisfies Record<string, KindRef>;

/** "apps/v1" -> "apps"; "v1" -> "" (the core group) */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function isKind(object: Pick<KubeObject, 'apiVersion' | 'kind'>, kind: KindRef): boolean {
  return object.kind === kind.kind && apiGroupOf(object.apiVersion) === kind.group;
}

/** Kinds whose objects make pods (directly, or through the agent-sandbox controller). */
export const WORKLOAD_KINDS: readonly KindRef[] = [
  KINDS.Pod,
  KINDS.ReplicationController,
  KINDS.Deployment,
  KINDS.StatefulSet,
  KINDS.DaemonSet,
  KINDS.ReplicaSet,
  KINDS.Job,
  KINDS.CronJob,
  KINDS.Sandbox,
  KINDS.SandboxTemplate,
  KINDS.SandboxWarmPool,
  KINDS.SandboxClaim,
];

export function isWorkload(object: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return WORKLOAD_KINDS.some((k) => isKind(object, k));
}
