/**
 * NetworkPolicies for the EKS cluster's own pods in kube-system, which the VPC CNI's strict
 * enforcing mode (infra/aws/vpc-cni-settings.ts) starts with default deny like every other pod:
 * CoreDNS and the EBS CSI driver get exactly the flows they need. The program applies this
 * chart with the cluster, before any node exists (infra/aws/eks-cluster.ts), so these pods are
 * never started without them. Empty on kind (Calico has no strict mode; kube-system there is
 * kind's own).
 */
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { KubeObject } from '../kube-object.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { apiServerEgressRule } from '../builders/api-server.ts';
import { DNS_PEER, DNS_PORTS, networkPolicy, tcpPorts } from '../builders/network-policy.ts';

export const KUBE_SYSTEM_NAMESPACE = 'kube-system';

/** The Route 53 Resolver as every VPC offers it at a link-local address (besides VPC base + 2). */
export const AMAZON_DNS_LINK_LOCAL = '169.254.169.253/32';

/** Ports the kubelet probes: CoreDNS health and ready, the EBS CSI livenessprobe sidecar. */
const COREDNS_PROBE_PORTS = [8080, 8181];
const EBS_CSI_PROBE_PORTS = [9808];

export function eksSystemObjects(spec: PlatformSpec): KubeObject[] {
  if (spec.platform.environment !== 'eks') return [];
  const network = spec.platform.network;
  // kubelet probes come from the node's address, inside the VPC (the node range on EKS)
  const fromNodes: INetworkPolicyPeer[] = [{ ipBlock: { cidr: network.nodeCidr } }];
  return [
    networkPolicy(
      KUBE_SYSTEM_NAMESPACE,
      'paddock-coredns',
      {
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: DNS_PORTS }, { from: fromNodes, ports: tcpPorts(COREDNS_PROBE_PORTS) }],
        egress: [apiServerEgressRule(network), { to: [{ ipBlock: { cidr: network.nodeCidr } }, { ipBlock: { cidr: AMAZON_DNS_LINK_LOCAL } }], ports: DNS_PORTS }],
      },
      'CoreDNS under strict network-policy mode: DNS in from every pod, probes from the nodes; out to the API server and the VPC resolver.',
    ),
    networkPolicy(
      KUBE_SYSTEM_NAMESPACE,
      'paddock-ebs-csi-controller',
      {
        podSelector: { matchLabels: { app: 'ebs-csi-controller' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: fromNodes, ports: tcpPorts(EBS_CSI_PROBE_PORTS) }],
        // EC2, KMS and STS regional endpoints: public addresses through the NAT gateways, or VPC endpoints
        egress: [apiServerEgressRule(network), { to: [DNS_PEER], ports: DNS_PORTS }, { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: tcpPorts([443]) }],
      },
      'EBS CSI controller under strict network-policy mode: probes in from the nodes; out to the API server, cluster DNS and the AWS APIs on 443.',
    ),
    networkPolicy(
      KUBE_SYSTEM_NAMESPACE,
      'paddock-ebs-csi-node',
      {
        podSelector: { matchLabels: { app: 'ebs-csi-node' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: fromNodes, ports: tcpPorts(EBS_CSI_PROBE_PORTS) }],
        egress: [apiServerEgressRule(network)],
      },
      'EBS CSI node plugin under strict network-policy mode: probes in from the nodes; out to the API server only (instance metadata is out of reach by design).',
    ),
  ];
}
