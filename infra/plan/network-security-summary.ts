/**
 * The plan's "Network security" section: what the program asks of the VPC CNI (network-policy
 * enforcing mode, security groups for pods), which pods get their own security group, and who
 * may reach PostgreSQL on 5432 — read back from the planned resources, so it shows what the
 * program registers, not what the code intends. Pure.
 */
import type { PlatformSpec } from '../../config/platform-spec.ts';
import type { OfflinePlan, PlannedResource } from './offline-plan.ts';

const SECURITY_GROUP = 'aws:ec2/securityGroup:SecurityGroup';
const INGRESS_RULE = 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule';
const SECURITY_GROUP_POLICY = 'kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy';

interface CniOptions {
  enableNetworkPolicy?: boolean;
  enablePodEni?: boolean;
  configurationValues?: { env?: Record<string, string> };
}

export function networkSecuritySummary(plan: OfflinePlan, spec?: PlatformSpec): string[] {
  const cluster = plan.resources.find((r) => r.type === 'eks:index:Cluster');
  if (!cluster) return ['  kind: NetworkPolicy enforced by Calico (the kind cluster\'s CNI); no cloud security groups'];
  const cni = (cluster.inputs.vpcCniOptions ?? {}) as CniOptions;
  const env = cni.configurationValues?.env ?? {};
  // security groups are known by name here: under the plan's mocks an id is "<name>-mock-id"
  const groupName = (id: unknown) => plan.resources.find((r) => r.type === SECURITY_GROUP && `${r.name}-mock-id` === id)?.name ?? String(id);
  const lines = [
    `  VPC CNI network policy: ${cni.enableNetworkPolicy ? `enforced, ${env.NETWORK_POLICY_ENFORCING_MODE ?? 'standard'} mode${env.NETWORK_POLICY_ENFORCING_MODE === 'strict' ? ' (a pod starts closed until its policies are programmed)' : ' (a new pod is open until its policies are programmed)'}` : 'NOT enforced'}`,
    `  security groups for pods: ${cni.enablePodEni ? `on (POD_SECURITY_GROUP_ENFORCING_MODE ${env.POD_SECURITY_GROUP_ENFORCING_MODE ?? 'strict'})` : 'off'}`,
  ];
  for (const policy of plan.resources.filter((r) => r.type === SECURITY_GROUP_POLICY)) {
    const groups = ((policy.inputs.spec as { securityGroups?: { groupIds?: unknown[] } } | undefined)?.securityGroups?.groupIds ?? []).map(groupName);
    lines.push(`  pods with their own security group: SecurityGroupPolicy ${policy.name} -> ${groups.join(', ')}`);
  }
  const postgres = plan.resources.find((r) => r.type === SECURITY_GROUP && r.name === 'postgres');
  if (postgres) {
    const sources = plan.resources
      .filter((r: PlannedResource) => r.type === INGRESS_RULE && r.inputs.securityGroupId === `${postgres.name}-mock-id`)
      .map((r) => (r.inputs.referencedSecurityGroupId ? `security group ${groupName(r.inputs.referencedSecurityGroupId)}` : String(r.inputs.cidrIpv4)));
    lines.push(`  PostgreSQL (RDS) on 5432 from: ${sources.join(', ') || 'nobody'}`);
  }
  const gateway = spec?.platform.modelGateway.inCluster;
  if (spec?.platform.modelGateway.deploy && gateway) {
    // Paddock runs the gateway: its namespace comes with its NetworkPolicies (chart model-gateway), strict mode or not
    lines.push(`  model gateway: run by Paddock in ${gateway.namespace}, with its own NetworkPolicies (in from team sandboxes and the runtime; out to DNS, its database and providers on 443)`);
  } else if (gateway && env.NETWORK_POLICY_ENFORCING_MODE === 'strict') {
    lines.push(`  to do: namespace ${gateway.namespace} (the in-cluster model gateway) is not Paddock's; under strict mode its pods serve nothing until you give them NetworkPolicies (docs/deploying.md, "Network security on EKS")`);
  }
  return lines;
}
