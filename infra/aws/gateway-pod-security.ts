/**
 * Security groups for the model gateway's pods (ADR 0024, like the runtime's in ADR 0017): the
 * LiteLLM pods get a branch ENI with a security group of their own, which RDS admits on 5432 —
 * the sandboxes, leaving through the node security group, still never reach the database.
 *
 * - `gateway-pods` security group: in on 4000 from the node security group (sandboxes through
 *   the Service, kubelet probes) and from the runtime pods' group (its key reconciler); out to
 *   cluster DNS (node security group), PostgreSQL (the database's group) and providers on 443
 *   (and declared apiBase ports) anywhere — NetworkPolicy keeps them off the cluster's ranges.
 * - the matching rules on the node, runtime-pods and database security groups.
 * - SecurityGroupPolicies, created by the program (the group ids exist only at `pulumi up`):
 *   the gateway's pods get this group; the database setup Job's pods in paddock-system get the
 *   runtime pods' group (the one RDS admits), so they reach RDS and nothing more.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { selectorLabels } from '../../charts-synth/builders/labels.ts';
import { GATEWAY_DATABASE_SETUP_JOB, GATEWAY_NAME, GATEWAY_NAMESPACE, GATEWAY_PORT } from '../../config/model-gateway.ts';
import { MANAGED_BY_LABELS, PADDOCK_SYSTEM_NAMESPACE, POSTGRES_PORT } from '../../config/names.ts';
import { PROGRAM_OBJECT_ANNOTATION, type ProgramObject } from '../kubernetes/synthesized-charts.ts';
import { SECURITY_GROUP_POLICY_API_VERSION } from './runtime-pod-security.ts';

export interface GatewayPodSecurityArgs {
  readonly clusterName: string;
  readonly vpcId: pulumi.Input<string>;
  readonly nodeSecurityGroupId: pulumi.Input<string>;
  readonly runtimeSecurityGroupId: pulumi.Input<string>;
  readonly databaseSecurityGroupId: pulumi.Input<string>;
  /** ports the gateway calls providers on: 443 and any port a declared apiBase names */
  readonly providerPorts: readonly number[];
  readonly tags: Readonly<Record<string, string>>;
}

/** A SecurityGroupPolicy giving the pods `podLabels` in `namespace` the group `groupId`: pure. */
export function securityGroupPolicy(namespace: string, name: string, podLabels: Readonly<Record<string, string>>, groupId: pulumi.Input<string>, why: string) {
  return {
    apiVersion: SECURITY_GROUP_POLICY_API_VERSION,
    kind: 'SecurityGroupPolicy',
    metadata: { name, namespace, labels: { ...MANAGED_BY_LABELS }, annotations: { [PROGRAM_OBJECT_ANNOTATION]: why } },
    spec: { podSelector: { matchLabels: { ...podLabels } }, securityGroups: { groupIds: [groupId] } },
  };
}

function programObject(policy: ReturnType<typeof securityGroupPolicy>): ProgramObject {
  return {
    apiVersion: policy.apiVersion,
    kind: policy.kind,
    namespace: policy.metadata.namespace,
    name: policy.metadata.name,
    create: (createOpts) => new k8s.apiextensions.CustomResource(`${policy.metadata.namespace}/${policy.metadata.name}`, policy, createOpts),
  };
}

export class GatewayPodSecurity extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  /** for SynthesizedCharts: each applied after its namespace and before the pods it selects */
  readonly securityGroupPolicies: readonly ProgramObject[];

  constructor(name: string, args: GatewayPodSecurityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:aws:GatewayPodSecurity', name, {}, opts);
    const parent = { parent: this };
    const { tags } = args;
    const group = new aws.ec2.SecurityGroup(
      'gateway-pods',
      { name: `${args.clusterName}-gateway-pods`, description: `Paddock model gateway pods of ${args.clusterName} (security groups for pods)`, vpcId: args.vpcId, tags: { ...tags, Name: `${args.clusterName}-gateway-pods` } },
      parent,
    );
    this.securityGroupId = group.id;
    const ingress = (ruleName: string, values: Omit<aws.vpc.SecurityGroupIngressRuleArgs, 'tags'>) => new aws.vpc.SecurityGroupIngressRule(ruleName, { ...values, tags }, parent);
    const egress = (ruleName: string, values: Omit<aws.vpc.SecurityGroupEgressRuleArgs, 'tags'>) => new aws.vpc.SecurityGroupEgressRule(ruleName, { ...values, tags }, parent);

    // in: sandboxes (node security group) and the kubelet's probes; the runtime's reconciler
    ingress('gateway-pods-from-nodes', { securityGroupId: group.id, referencedSecurityGroupId: args.nodeSecurityGroupId, ipProtocol: 'tcp', fromPort: GATEWAY_PORT, toPort: GATEWAY_PORT, description: 'Model gateway API from sandboxes (nodes) and probes' });
    ingress('gateway-pods-from-runtime-pods', { securityGroupId: group.id, referencedSecurityGroupId: args.runtimeSecurityGroupId, ipProtocol: 'tcp', fromPort: GATEWAY_PORT, toPort: GATEWAY_PORT, description: 'Model gateway admin API from the runtime pods (team keys)' });
    egress('runtime-pods-to-gateway-pods', { securityGroupId: args.runtimeSecurityGroupId, referencedSecurityGroupId: group.id, ipProtocol: 'tcp', fromPort: GATEWAY_PORT, toPort: GATEWAY_PORT, description: 'Model gateway admin API (team keys)' });
    // out: cluster DNS, the database, providers
    for (const protocol of ['udp', 'tcp'] as const) {
      egress(`gateway-pods-dns-${protocol}`, { securityGroupId: group.id, referencedSecurityGroupId: args.nodeSecurityGroupId, ipProtocol: protocol, fromPort: 53, toPort: 53, description: `Cluster DNS (${protocol})` });
      ingress(`nodes-dns-${protocol}-from-gateway-pods`, { securityGroupId: args.nodeSecurityGroupId, referencedSecurityGroupId: group.id, ipProtocol: protocol, fromPort: 53, toPort: 53, description: `Cluster DNS (${protocol}) for the model gateway pods` });
    }
    egress('gateway-pods-to-postgres', { securityGroupId: group.id, referencedSecurityGroupId: args.databaseSecurityGroupId, ipProtocol: 'tcp', fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT, description: 'PostgreSQL (RDS): LiteLLM\'s database' });
    ingress('postgres-from-gateway-pods', { securityGroupId: args.databaseSecurityGroupId, referencedSecurityGroupId: group.id, ipProtocol: 'tcp', fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT, description: 'PostgreSQL from the model gateway pods security group' });
    for (const port of args.providerPorts) {
      egress(`gateway-pods-to-providers-${port}`, { securityGroupId: group.id, cidrIpv4: '0.0.0.0/0', ipProtocol: 'tcp', fromPort: port, toPort: port, description: `Model providers on ${port} (NetworkPolicy keeps the cluster's ranges out)` });
    }

    this.securityGroupPolicies = [
      programObject(securityGroupPolicy(GATEWAY_NAMESPACE, GATEWAY_NAME, selectorLabels(GATEWAY_NAME), group.id, 'the model gateway pods\' security group exists only at pulumi up (infra/aws/gateway-pod-security.ts)')),
      programObject(securityGroupPolicy(PADDOCK_SYSTEM_NAMESPACE, GATEWAY_DATABASE_SETUP_JOB, selectorLabels(GATEWAY_DATABASE_SETUP_JOB), args.runtimeSecurityGroupId, 'the database setup Job reaches RDS with the runtime pods\' security group, the one RDS admits (infra/aws/gateway-pod-security.ts)')),
    ];
    this.registerOutputs({ securityGroupId: this.securityGroupId });
  }
}
