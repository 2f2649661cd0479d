/**
 * Security groups for pods (ADR 0017): the runtime controller's pods get a branch ENI carrying a
 * security group of their own, and RDS admits 5432 from that group only — not from the node
 * security group every other pod's traffic leaves through. So a sandbox never reaches the
 * database, even while its NetworkPolicies are not (yet) programmed or are wrong.
 *
 * - `runtime-pods` security group: in on the runtime's API port from the node security group
 *   (clients through the Service, kubelet probes); out only to what the runtime talks to: the
 *   API server (cluster security group, 443), cluster DNS and the sandboxes' harness ports (node
 *   security group), and PostgreSQL (the database's security group, added by rds-postgres.ts
 *   through `allowEgressTo`).
 * - the matching ingress on the node and cluster security groups, since pods with their own
 *   group are no longer "the nodes" to them.
 * - the SecurityGroupPolicy (vpcresources.k8s.aws/v1beta1) that gives the runtime's pods the
 *   group, created by the program (the group's id exists only at `pulumi up`) in paddock-system
 *   before the runtime's Deployment (SynthesizedCharts' program objects).
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { selectorLabels } from '../../charts-synth/builders/labels.ts';
import { MANAGED_BY_LABELS, PADDOCK_SYSTEM_NAMESPACE, RUNTIME_NAME, RUNTIME_PORT } from '../../config/names.ts';
import { PROGRAM_OBJECT_ANNOTATION, type ProgramObject } from '../kubernetes/synthesized-charts.ts';

export const SECURITY_GROUP_POLICY_API_VERSION = 'vpcresources.k8s.aws/v1beta1';

export interface RuntimePodSecurityArgs {
  readonly clusterName: string;
  readonly vpcId: pulumi.Input<string>;
  readonly nodeSecurityGroupId: pulumi.Input<string>;
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** the harness ports of every team's sandboxes (the runtime calls them) */
  readonly harnessPorts: readonly number[];
  readonly tags: Readonly<Record<string, string>>;
}

/** The SecurityGroupPolicy giving the runtime's pods their group: pure, from the group's id. */
export function runtimeSecurityGroupPolicy(groupId: pulumi.Input<string>) {
  return {
    apiVersion: SECURITY_GROUP_POLICY_API_VERSION,
    kind: 'SecurityGroupPolicy',
    metadata: {
      name: RUNTIME_NAME,
      namespace: PADDOCK_SYSTEM_NAMESPACE,
      labels: { ...MANAGED_BY_LABELS },
      annotations: { [PROGRAM_OBJECT_ANNOTATION]: 'the runtime pods\' security group exists only at pulumi up (infra/aws/runtime-pod-security.ts)' },
    },
    spec: { podSelector: { matchLabels: selectorLabels(RUNTIME_NAME) }, securityGroups: { groupIds: [groupId] } },
  };
}

export class RuntimePodSecurity extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  /** for SynthesizedCharts: applied after paddock-system exists and before the runtime's pods */
  readonly securityGroupPolicy: ProgramObject;
  private readonly tags: Readonly<Record<string, string>>;

  constructor(name: string, args: RuntimePodSecurityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:aws:RuntimePodSecurity', name, {}, opts);
    const parent = { parent: this };
    const { tags } = args;
    this.tags = tags;
    const group = new aws.ec2.SecurityGroup(
      'runtime-pods',
      { name: `${args.clusterName}-runtime-pods`, description: `Paddock runtime pods of ${args.clusterName} (security groups for pods): the only client RDS admits`, vpcId: args.vpcId, tags: { ...tags, Name: `${args.clusterName}-runtime-pods` } },
      parent,
    );
    this.securityGroupId = group.id;
    const rule = (kind: 'in' | 'out', ruleName: string, values: Omit<aws.vpc.SecurityGroupIngressRuleArgs, 'securityGroupId' | 'tags'>) =>
      kind === 'in'
        ? new aws.vpc.SecurityGroupIngressRule(ruleName, { securityGroupId: group.id, ...values, tags }, parent)
        : new aws.vpc.SecurityGroupEgressRule(ruleName, { securityGroupId: group.id, ...values, tags }, parent);

    // in: the API (through the Service from any node, and the kubelet's probes)
    rule('in', 'runtime-pods-api-from-nodes', { referencedSecurityGroupId: args.nodeSecurityGroupId, ipProtocol: 'tcp', fromPort: RUNTIME_PORT, toPort: RUNTIME_PORT, description: 'Runtime API and probes from the nodes' });
    // out: the API server, cluster DNS, the sandboxes
    rule('out', 'runtime-pods-to-api-server', { referencedSecurityGroupId: args.clusterSecurityGroupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, description: 'Kubernetes API server' });
    for (const protocol of ['udp', 'tcp'] as const) {
      rule('out', `runtime-pods-dns-${protocol}`, { referencedSecurityGroupId: args.nodeSecurityGroupId, ipProtocol: protocol, fromPort: 53, toPort: 53, description: `Cluster DNS (${protocol})` });
      new aws.vpc.SecurityGroupIngressRule(`nodes-dns-${protocol}-from-runtime-pods`, { securityGroupId: args.nodeSecurityGroupId, referencedSecurityGroupId: group.id, ipProtocol: protocol, fromPort: 53, toPort: 53, description: `Cluster DNS (${protocol}) for the runtime pods`, tags }, parent);
    }
    for (const port of args.harnessPorts) {
      rule('out', `runtime-pods-to-harness-${port}`, { referencedSecurityGroupId: args.nodeSecurityGroupId, ipProtocol: 'tcp', fromPort: port, toPort: port, description: `Sandbox harnesses on ${port}` });
      new aws.vpc.SecurityGroupIngressRule(`nodes-harness-${port}-from-runtime-pods`, { securityGroupId: args.nodeSecurityGroupId, referencedSecurityGroupId: group.id, ipProtocol: 'tcp', fromPort: port, toPort: port, description: `Sandbox harnesses on ${port} from the runtime pods`, tags }, parent);
    }
    new aws.vpc.SecurityGroupIngressRule('api-server-from-runtime-pods', { securityGroupId: args.clusterSecurityGroupId, referencedSecurityGroupId: group.id, ipProtocol: 'tcp', fromPort: 443, toPort: 443, description: 'Kubernetes API from the runtime pods', tags }, parent);

    const policy = runtimeSecurityGroupPolicy(group.id);
    this.securityGroupPolicy = {
      apiVersion: policy.apiVersion,
      kind: policy.kind,
      namespace: policy.metadata.namespace,
      name: policy.metadata.name,
      create: (createOpts) => new k8s.apiextensions.CustomResource(`${policy.metadata.namespace}/${policy.metadata.name}`, policy, createOpts),
    };
    this.registerOutputs({ securityGroupId: this.securityGroupId });
  }

  /** Lets the runtime pods out to `port` of another security group (the database's). */
  allowEgressTo(ruleName: string, securityGroupId: pulumi.Input<string>, port: number, description: string, opts?: pulumi.CustomResourceOptions): aws.vpc.SecurityGroupEgressRule {
    return new aws.vpc.SecurityGroupEgressRule(ruleName, { securityGroupId: this.securityGroupId, referencedSecurityGroupId: securityGroupId, ipProtocol: 'tcp', fromPort: port, toPort: port, description, tags: this.tags }, { parent: this, ...opts });
  }
}
