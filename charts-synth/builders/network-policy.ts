/**
 * NetworkPolicy building blocks. Each namespace starts from default-deny (ingress and
 * egress) and every allowed flow is an explicit, named policy.
 */
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { INetworkPolicySpec } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec';
import type { KubeObject } from '../kube-object.ts';
import { MANAGED_BY_LABELS } from '../../config/names.ts';
import { cidrContains, parseCidr } from '../../config/cidr.ts';

export function networkPolicy(namespace: string, name: string, spec: INetworkPolicySpec, description?: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: { ...MANAGED_BY_LABELS }, ...(description ? { annotations: { 'paddock.dev/description': description } } : {}) },
    spec,
  };
}

/** Selects every pod and allows nothing: the baseline of every namespace Paddock runs pods in. */
export function defaultDenyAll(namespace: string): KubeObject {
  return networkPolicy(namespace, 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'Baseline: no traffic in or out unless another policy allows it.');
}

export const DNS_PEER: INetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

export const DNS_PORTS: INetworkPolicyPort[] = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

/** Every pod of the namespace may resolve names through cluster DNS, and nothing else. */
export function allowDnsEgress(namespace: string): KubeObject {
  return networkPolicy(namespace, 'allow-dns-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [DNS_PEER], ports: DNS_PORTS }] }, 'Cluster DNS (kube-dns in kube-system) on port 53.');
}

/** An ipBlock that opens `cidr` minus every blocked range inside it (metadata, cluster networks). */
export function ipBlockPeer(cidr: string, blocked: readonly string[]): INetworkPolicyPeer {
  const outer = parseCidr(cidr);
  const except = outer ? blocked.filter((b) => { const inner = parseCidr(b); return inner !== undefined && inner.prefix > outer.prefix && cidrContains(outer, inner); }) : [];
  return { ipBlock: { cidr, ...(except.length > 0 ? { except: [...except].sort() } : {}) } };
}

export function tcpPorts(ports: readonly number[]): INetworkPolicyPort[] {
  return [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port }));
}
