/**
 * One Pulumi resource per plain KubeObject, with the typed @pulumi/kubernetes class for
 * built-in kinds (so the provider applies its schema, secret handling and await logic) and
 * `CustomResource` for kinds served by CRDs. A built-in kind missing from the table is an
 * error, so a new kind in synth cannot slip through as an untyped resource.
 */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { KubeObject } from '../../charts-synth/kube-object.ts';

type Factory = (name: string, object: KubeObject, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

function typed<A>(resource: new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource): Factory {
  return (name, object, opts) => new resource(name, object as unknown as A, opts);
}

const BUILT_IN: Readonly<Record<string, Factory>> = {
  'v1/ConfigMap': typed(k8s.core.v1.ConfigMap),
  'v1/LimitRange': typed(k8s.core.v1.LimitRange),
  'v1/Namespace': typed(k8s.core.v1.Namespace),
  'v1/PersistentVolumeClaim': typed(k8s.core.v1.PersistentVolumeClaim),
  'v1/ResourceQuota': typed(k8s.core.v1.ResourceQuota),
  'v1/Secret': typed(k8s.core.v1.Secret),
  'v1/Service': typed(k8s.core.v1.Service),
  'v1/ServiceAccount': typed(k8s.core.v1.ServiceAccount),
  'apps/v1/DaemonSet': typed(k8s.apps.v1.DaemonSet),
  'apps/v1/Deployment': typed(k8s.apps.v1.Deployment),
  'apps/v1/StatefulSet': typed(k8s.apps.v1.StatefulSet),
  'batch/v1/CronJob': typed(k8s.batch.v1.CronJob),
  'batch/v1/Job': typed(k8s.batch.v1.Job),
  'policy/v1/PodDisruptionBudget': typed(k8s.policy.v1.PodDisruptionBudget),
  'networking.k8s.io/v1/NetworkPolicy': typed(k8s.networking.v1.NetworkPolicy),
  'rbac.authorization.k8s.io/v1/ClusterRole': typed(k8s.rbac.v1.ClusterRole),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': typed(k8s.rbac.v1.ClusterRoleBinding),
  'rbac.authorization.k8s.io/v1/Role': typed(k8s.rbac.v1.Role),
  'rbac.authorization.k8s.io/v1/RoleBinding': typed(k8s.rbac.v1.RoleBinding),
  'apiextensions.k8s.io/v1/CustomResourceDefinition': typed(k8s.apiextensions.v1.CustomResourceDefinition),
  'scheduling.k8s.io/v1/PriorityClass': typed(k8s.scheduling.v1.PriorityClass),
  'storage.k8s.io/v1/StorageClass': typed(k8s.storage.v1.StorageClass),
  'node.k8s.io/v1/RuntimeClass': typed(k8s.node.v1.RuntimeClass),
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': typed(k8s.admissionregistration.v1.ValidatingWebhookConfiguration),
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': typed(k8s.admissionregistration.v1.MutatingWebhookConfiguration),
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': typed(k8s.admissionregistration.v1.ValidatingAdmissionPolicy),
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': typed(k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding),
};

/** API groups served by Kubernetes itself: "" (core), un-dotted groups (apps, batch, policy) and *.k8s.io. */
export function isBuiltInGroup(apiVersion: string): boolean {
  if (!apiVersion.includes('/')) return true;
  const group = apiVersion.slice(0, apiVersion.lastIndexOf('/'));
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/** The Pulumi logical name of an object: "<namespace>/<name>", or "<name>" when cluster-scoped. */
export function resourceNameOf(object: KubeObject): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}

export function kubeObjectResource(object: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const gvk = `${object.apiVersion}/${object.kind}`;
  const name = resourceNameOf(object);
  const factory = BUILT_IN[gvk];
  if (factory) return factory(name, object, opts);
  if (isBuiltInGroup(object.apiVersion)) throw new Error(`no @pulumi/kubernetes type registered for built-in kind ${gvk} (${name}): add it to infra/kubernetes/kube-resource.ts`);
  return new k8s.apiextensions.CustomResource(name, object as unknown as k8s.apiextensions.CustomResourceArgs, opts);
}
