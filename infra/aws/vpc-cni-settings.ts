/**
 * How the VPC CNI add-on is configured (pure data; eks-cluster.ts passes it to @pulumi/eks,
 * which merges `configurationValues.env` over the variables it computes itself):
 *
 * - the network-policy agent on, in `strict` enforcing mode: a pod starts with default deny
 *   and is open only as far as its NetworkPolicies say, once they are programmed. In the
 *   default `standard` mode a new pod is open to everything until then — a sandbox could reach
 *   anything in its first moments. Strict mode applies to every pod that is not hostNetwork,
 *   CoreDNS included, so the cluster's own pods get policies before the nodes exist
 *   (charts-synth/builders/eks-system-network-policies.ts).
 * - security groups for pods (ENABLE_POD_ENI): the runtime's pods get their own branch ENI and
 *   security group, the only one RDS admits on 5432 (runtime-pod-security.ts).
 * - POD_SECURITY_GROUP_ENFORCING_MODE `standard`: AWS requires it when security groups for pods
 *   and network policies are used together; it also keeps kubelet probes of those pods (from
 *   their own node) outside the pod security group.
 *
 * Sources (checked 2026-12-04): AWS EKS User Guide "Restrict Pod network traffic with
 * Kubernetes network policies" (NETWORK_POLICY_ENFORCING_MODE, strict mode and CoreDNS),
 * "Configure the Amazon VPC CNI plugin for Kubernetes for security groups for Amazon EKS Pods"
 * (AmazonEKSVPCResourceController, ENABLE_POD_ENI, POD_SECURITY_GROUP_ENFORCING_MODE), and the
 * EKS Best Practices Guide (standard mode when both features are used).
 */
export const NETWORK_POLICY_ENFORCING_MODE = 'strict';
export const POD_SECURITY_GROUP_ENFORCING_MODE = 'standard';

/** Managed policy the cluster role needs so the VPC resource controller manages branch ENIs. */
export const CLUSTER_ROLE_POLICIES = ['AmazonEKSClusterPolicy', 'AmazonEKSVPCResourceController'] as const;

export const VPC_CNI_OPTIONS = {
  enableNetworkPolicy: true,
  enablePodEni: true,
  configurationValues: {
    env: {
      NETWORK_POLICY_ENFORCING_MODE,
      POD_SECURITY_GROUP_ENFORCING_MODE,
    },
  },
} as const;
