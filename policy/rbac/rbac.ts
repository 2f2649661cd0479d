/** Reading Roles, ClusterRoles and their bindings the way the RBAC authorizer does. */
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import type { IRoleRef } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleRef';
import type { ISubject } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Subject';
import type { KubeObject } from '../../charts-synth/kube-object.ts';
import type { PolicyContext } from '../context.ts';
import { isKind, KINDS } from '../kinds.ts';
import { listOf } from '../workload/pod-sites.ts';

export type { IPolicyRule };

export const WILDCARD = '*';

/** Built-in ClusterRoles that grant Secrets (and much else) without resourceNames. */
export const BUILT_IN_SECRET_GRANTING_ROLES: readonly string[] = ['admin', 'cluster-admin', 'edit'];

export interface RoleRule {
  readonly rule: IPolicyRule;
  /** e.g. "rules[2]" */
  readonly path: string;
}

export function rulesOf(role: KubeObject): RoleRule[] {
  return listOf((role as { rules?: IPolicyRule[] }).rules).map((rule, index) => ({ rule, path: `rules[${index}]` }));
}

export function isRole(object: KubeObject): boolean {
  return isKind(object, KINDS.Role) || isKind(object, KINDS.ClusterRole);
}

export function isBinding(object: KubeObject): boolean {
  return isKind(object, KINDS.RoleBinding) || isKind(object, KINDS.ClusterRoleBinding);
}

/** True when the rule grants something on `resource` (plain or a subresource of it) in `group`. */
export function coversResource(rule: IPolicyRule, group: string, resource: string): boolean {
  const groups = listOf(rule.apiGroups);
  if (!groups.includes(group) && !groups.includes(WILDCARD)) return false;
  return listOf(rule.resources).some((r) => r === WILDCARD || r === resource || r.startsWith(`${resource}/`) || r === `${WILDCARD}/${resource}`);
}

export function roleRefOf(binding: KubeObject): IRoleRef | undefined {
  return (binding as { roleRef?: IRoleRef }).roleRef;
}

export function subjectsOf(binding: KubeObject): readonly ISubject[] {
  return listOf((binding as { subjects?: ISubject[] }).subjects);
}

/** The Role or ClusterRole a binding refers to, when the stack renders it. */
export function resolveRoleRef(binding: KubeObject, context: PolicyContext): KubeObject | undefined {
  const ref = roleRefOf(binding);
  if (!ref) return undefined;
  if (ref.kind === 'ClusterRole') return context.find(KINDS.ClusterRole, '', ref.name);
  return context.find(KINDS.Role, binding.metadata.namespace ?? 'default', ref.name);
}

export function isServiceAccountSubject(subject: ISubject, namespace: string, name: string, bindingNamespace: string | undefined): boolean {
  return subject.kind === 'ServiceAccount' && subject.name === name && (subject.namespace ?? bindingNamespace) === namespace;
}
