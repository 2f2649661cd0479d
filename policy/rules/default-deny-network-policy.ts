import type { INetworkPolicySpec } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec';
import type { KubeObject } from '../../charts-synth/kube-object.ts';
import { KINDS } from '../kinds.ts';
import { isEmptySelector } from '../network/label-selector.ts';
import type { PolicyRule } from '../types.ts';

/** A NetworkPolicy selecting every pod, isolating both directions, admitting nothing. */
export function isDefaultDeny(policy: KubeObject): boolean {
  const spec = (policy.spec ?? {}) as Partial<INetworkPolicySpec>;
  const types = spec.policyTypes ?? [];
  return isEmptySelector(spec.podSelector) && types.includes('Ingress') && types.includes('Egress') && (spec.ingress ?? []).length === 0 && (spec.egress ?? []).length === 0;
}

export const defaultDenyNetworkPolicy: PolicyRule = {
  id: 'default-deny-network-policy',
  description: 'Every namespace that runs pods has a default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules); what must flow is allowed explicitly.',
  *check(context) {
    const denied = new Set(context.ofKind(KINDS.NetworkPolicy).filter(isDefaultDeny).map((p) => p.metadata.namespace ?? 'default'));
    for (const name of context.podRunningNamespaces().keys()) {
      if (denied.has(name)) continue;
      yield {
        object: context.namespaceObject(name) ?? { kind: 'Namespace', metadata: { name } },
        message: `namespace ${name} runs pods but has no default-deny NetworkPolicy, so pods nothing selects can reach and be reached by anything; add one with podSelector: {}, policyTypes: [Ingress, Egress] and no rules`,
      };
    }
  },
};
