/**
 * Where the Kubernetes API server listens, as NetworkPolicy sees it: the `kubernetes`
 * Service's ClusterIP (port 443) and, after the Service is translated to an endpoint, the
 * control plane's addresses in the node/VPC range (443 on EKS, 6443 on kind/kubeadm).
 */
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import { parseCidr } from '../../config/cidr.ts';
import type { NetworkSpec } from '../../config/platform-spec.ts';
import { tcpPorts } from './network-policy.ts';

export const API_SERVER_PORTS: readonly number[] = [443, 6443];

/** The `kubernetes` Service's ClusterIP: the first address of the service range. */
export function kubernetesServiceIp(serviceCidr: string): string {
  const range = parseCidr(serviceCidr);
  if (!range) throw new Error(`network.serviceCidr: "${serviceCidr}" is not an IPv4 CIDR`);
  if (range.prefix > 30) throw new Error(`network.serviceCidr: "${serviceCidr}" is too small to hold the kubernetes Service address`);
  const address = range.network + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

/** One egress rule admitting the API server and nothing else on those ports. */
export function apiServerEgressRule(network: NetworkSpec): INetworkPolicyEgressRule {
  return {
    to: [{ ipBlock: { cidr: `${kubernetesServiceIp(network.serviceCidr)}/32` } }, { ipBlock: { cidr: network.nodeCidr } }],
    ports: tcpPorts(API_SERVER_PORTS),
  };
}
