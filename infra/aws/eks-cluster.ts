/**
 * The EKS cluster, as a careful engineer sets it (ADR 0010):
 * - control plane ENIs and nodes in the private subnets only; nodes never get a public IP;
 * - API endpoint private; public only when eks.publicAccessCidrs lists ranges, and then only
 *   for those ranges;
 * - authentication mode API: access entries only (no aws-auth ConfigMap), with two roles this
 *   stack creates for people — cluster admin and read-only viewer — assumable by principals of
 *   the account that IAM allows to;
 * - Kubernetes Secrets envelope-encrypted with a customer-managed KMS key (rotation on);
 * - every control-plane log type, into a log group with a retention (created before the cluster
 *   so EKS does not create one that keeps logs forever);
 * - the VPC CNI add-on with its network-policy agent on, so NetworkPolicy is enforced;
 * - a managed node group on a launch template that requires IMDSv2 with hop limit 1 and encrypts
 *   the root volume;
 * - a pinned Kubernetes version whose upgrade policy follows its support state: STANDARD while
 *   in standard support (never silently into paid extended support), EXTENDED once there (EKS
 *   allows nothing else, ADR 0015), the service range the NetworkPolicies assume, and deletion protection (EKS and
 *   Pulumi `protect`) for production stacks;
 * - operators and CI admitted on 443 to the private endpoint from eks.operatorCidrs only;
 * - with runtimeClasses "gvisor", a tainted node group that installs a verified runsc
 *   (gvisor-node-group.ts, ADR 0016);
 * - an IAM OIDC provider, and on it the EBS CSI driver add-on with its IRSA role and the default
 *   StorageClass, so PVCs get encrypted gp3 volumes (ebs-csi-driver.ts, ADR 0013).
 */
import * as aws from '@pulumi/aws';
import * as eks from '@pulumi/eks';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { EksSpec, NetworkSpec } from '../../config/platform-spec.ts';
import { CLUSTER_ADMIN_POLICY, CLUSTER_VIEW_POLICY, CONTROL_PLANE_LOG_TYPES, NODE_METADATA_OPTIONS, NODE_ROLE_POLICIES, nodeAmiType } from './eks-settings.ts';
import { EbsCsiDriver } from './ebs-csi-driver.ts';
import { GvisorNodeGroup } from './gvisor-node-group.ts';
import { GVISOR_RUNTIME_CLASS } from '../../config/runtime-classes.ts';
import type { Network } from './network.ts';
import type { SynthesizedChart } from '../../charts-synth/synthesized-chart.ts';
import { KubernetesChart } from '../kubernetes/synthesized-charts.ts';
import { kubeObjectResource } from '../kubernetes/kube-resource.ts';
import { CLUSTER_ROLE_POLICIES, VPC_CNI_OPTIONS } from './vpc-cni-settings.ts';

export interface EksClusterArgs {
  readonly clusterName: string;
  readonly eks: EksSpec;
  /** from the Kubernetes version's support state on the day of the run (upgradeSupportType, ADR 0015) */
  readonly upgradeSupportType: 'STANDARD' | 'EXTENDED';
  readonly network: NetworkSpec;
  /** platform.runtimeClasses: "gvisor" gets its node group */
  readonly runtimeClasses: readonly string[];
  readonly vpc: Network;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * The kube-system NetworkPolicies (chart kube-system): applied as soon as the control plane
   * answers and before any node joins, since strict network-policy mode denies pods without them
   */
  readonly bootstrapChart?: SynthesizedChart;
}

function assumeRolePolicy(principal: Record<string, pulumi.Input<string>>): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });
}

export class EksCluster extends pulumi.ComponentResource {
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;
  /** the security group of the nodes (and so of every pod's traffic through the VPC CNI) */
  readonly nodeSecurityGroupId: pulumi.Output<string>;
  /** the security group of the control plane's ENIs (the private API endpoint) */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  readonly clusterAdminRoleArn: pulumi.Output<string>;
  readonly clusterViewerRoleArn: pulumi.Output<string>;
  /** what workloads wait for: nodes to run on, and storage for their volumes */
  readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:aws:EksCluster', name, {}, opts);
    const { eks: settings, clusterName, tags } = args;
    const parent = { parent: this };
    const partition = aws.getPartitionOutput({}, parent).partition;
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const managedPolicy = (policy: string) => pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`;
    const accessPolicy = (policy: string) => pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${policy}`;

    const secretsKey = new aws.kms.Key(
      'secrets-key',
      { description: `EKS ${clusterName}: envelope encryption of Kubernetes Secrets`, enableKeyRotation: true, deletionWindowInDays: 30, tags: { ...tags, Name: `${clusterName}-eks-secrets` } },
      parent,
    );
    new aws.kms.Alias('secrets-key', { name: `alias/${clusterName}-eks-secrets`, targetKeyId: secretsKey.keyId }, parent);

    const logGroup = new aws.cloudwatch.LogGroup(
      'control-plane-logs',
      { name: `/aws/eks/${clusterName}/cluster`, retentionInDays: settings.production ? 365 : 90, tags },
      parent,
    );

    const nodeRole = new aws.iam.Role('node-role', { assumeRolePolicy: assumeRolePolicy({ Service: 'ec2.amazonaws.com' }), description: `EKS ${clusterName} managed nodes`, tags }, parent);
    const nodePolicies = NODE_ROLE_POLICIES.map((policy) => new aws.iam.RolePolicyAttachment(`node-role-${policy}`, { role: nodeRole.name, policyArn: managedPolicy(policy) }, parent));

    // The cluster role, with the VPC resource controller's policy: it creates the branch ENIs of
    // security groups for pods (vpc-cni-settings.ts)
    const clusterRole = new aws.iam.Role('cluster-role', { assumeRolePolicy: assumeRolePolicy({ Service: 'eks.amazonaws.com' }), description: `EKS ${clusterName} control plane`, tags }, parent);
    const clusterPolicies = CLUSTER_ROLE_POLICIES.map((policy) => new aws.iam.RolePolicyAttachment(`cluster-role-${policy}`, { role: clusterRole.name, policyArn: managedPolicy(policy) }, parent));

    // Roles for people: whoever IAM in this account allows to assume them (e.g. an SSO permission set).
    const accountRoot = pulumi.interpolate`arn:${partition}:iam::${accountId}:root`;
    const adminRole = new aws.iam.Role('cluster-admin', { assumeRolePolicy: assumeRolePolicy({ AWS: accountRoot }), description: `Kubernetes cluster admin of ${clusterName} (EKS access entry)`, maxSessionDuration: 3600, tags }, parent);
    const viewerRole = new aws.iam.Role('cluster-viewer', { assumeRolePolicy: assumeRolePolicy({ AWS: accountRoot }), description: `Read-only access to ${clusterName} (EKS access entry)`, maxSessionDuration: 3600, tags }, parent);
    this.clusterAdminRoleArn = adminRole.arn;
    this.clusterViewerRoleArn = viewerRole.arn;

    const publicCidrs = [...settings.publicAccessCidrs];
    const cluster = new eks.Cluster(
      'eks',
      {
        name: clusterName,
        version: settings.kubernetesVersion,
        vpcId: args.vpc.vpcId,
        privateSubnetIds: args.vpc.privateSubnetIds,
        nodeAssociatePublicIpAddress: false,
        skipDefaultNodeGroup: true,
        createOidcProvider: true,
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        ...(publicCidrs.length > 0 ? { publicAccessCidrs: publicCidrs } : {}),
        authenticationMode: eks.AuthenticationMode.Api,
        accessEntries: {
          'cluster-admin': {
            principalArn: adminRole.arn,
            type: eks.AccessEntryType.Standard,
            accessPolicies: { admin: { policyArn: accessPolicy(CLUSTER_ADMIN_POLICY), accessScope: { type: 'cluster' } } },
          },
          'cluster-viewer': {
            principalArn: viewerRole.arn,
            type: eks.AccessEntryType.Standard,
            accessPolicies: { view: { policyArn: accessPolicy(CLUSTER_VIEW_POLICY), accessScope: { type: 'cluster' } } },
          },
        },
        encryptionConfigKeyArn: secretsKey.arn,
        enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        useDefaultVpcCni: false,
        serviceRole: clusterRole,
        vpcCniOptions: { ...VPC_CNI_OPTIONS, configurationValues: { env: { ...VPC_CNI_OPTIONS.configurationValues.env } } },
        kubernetesServiceIpAddressRange: args.network.serviceCidr,
        upgradePolicy: { supportType: args.upgradeSupportType },
        deletionProtection: settings.production,
        tags: { ...tags },
        clusterTags: { ...tags },
      },
      { parent: this, dependsOn: [logGroup, ...clusterPolicies], protect: settings.production },
    );
    this.nodeSecurityGroupId = cluster.nodeSecurityGroupId;
    this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
    this.clusterSecurityGroupId = cluster.clusterSecurityGroupId;
    this.provider = new k8s.Provider('eks', { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this, dependsOn: [cluster] });
    const bootstrap = args.bootstrapChart ? applyBootstrapChart(args.bootstrapChart, this.provider, cluster, this) : [];

    // The private endpoint's ENIs carry the cluster security group, which admits only the nodes:
    // operators and CI reach it on 443 from the networks the stack lists (routed, eks.routes).
    settings.operatorCidrs.forEach(
      (cidr, i) =>
        new aws.vpc.SecurityGroupIngressRule(
          `api-from-operators-${i}`,
          { securityGroupId: cluster.clusterSecurityGroupId, cidrIpv4: cidr, ipProtocol: 'tcp', fromPort: 443, toPort: 443, description: `Kubernetes API from operator network ${cidr}`, tags },
          parent,
        ),
    );

    const nodeTags = { ...tags, Name: `${clusterName}-node` };
    const launchTemplate = new aws.ec2.LaunchTemplate(
      'nodes',
      {
        namePrefix: `${clusterName}-nodes-`,
        description: `EKS ${clusterName} managed nodes: IMDSv2 only, hop limit 1, encrypted root volume`,
        updateDefaultVersion: true,
        metadataOptions: { ...NODE_METADATA_OPTIONS },
        blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: settings.nodeGroup.diskSizeGb, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } }],
        vpcSecurityGroupIds: [cluster.nodeSecurityGroupId],
        tagSpecifications: [
          { resourceType: 'instance', tags: nodeTags },
          { resourceType: 'volume', tags: nodeTags },
        ],
        tags,
      },
      parent,
    );

    const nodeGroup = new eks.ManagedNodeGroup(
      'nodes',
      {
        cluster,
        nodeGroupNamePrefix: `${clusterName}-`,
        nodeRole,
        subnetIds: args.vpc.privateSubnetIds,
        instanceTypes: [...settings.nodeGroup.instanceTypes],
        amiType: nodeAmiType(settings.nodeGroup.instanceTypes),
        capacityType: 'ON_DEMAND',
        version: settings.kubernetesVersion,
        scalingConfig: { minSize: settings.nodeGroup.minSize, desiredSize: settings.nodeGroup.desiredSize, maxSize: settings.nodeGroup.maxSize },
        launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
        labels: { 'paddock.dev/node-pool': 'default' },
        tags,
      },
      { parent: this, dependsOn: [...nodePolicies, ...bootstrap] },
    );

    const gvisor = settings.gvisorNodeGroup && args.runtimeClasses.includes(GVISOR_RUNTIME_CLASS)
      ? new GvisorNodeGroup('gvisor', { clusterName, kubernetesVersion: settings.kubernetesVersion, settings: settings.gvisorNodeGroup, cluster, nodeRole, subnetIds: args.vpc.privateSubnetIds, joinAfter: [...nodePolicies, ...bootstrap], provider: this.provider, tags }, parent)
      : undefined;
    const storage = new EbsCsiDriver('ebs-csi', { clusterName, kubernetesVersion: settings.kubernetesVersion, cluster, nodes: [nodeGroup], provider: this.provider, tags }, parent);
    this.ready = [nodeGroup, ...(gvisor?.ready ?? []), ...storage.ready];
    this.registerOutputs({ clusterName, kubeconfig: this.kubeconfig, nodeSecurityGroupId: this.nodeSecurityGroupId, clusterAdminRoleArn: this.clusterAdminRoleArn, clusterViewerRoleArn: this.clusterViewerRoleArn });
  }
}

/** Each object of the chart, through the cluster's provider, once the control plane exists. */
function applyBootstrapChart(chart: SynthesizedChart, provider: k8s.Provider, cluster: pulumi.Resource, parent: pulumi.Resource): pulumi.CustomResource[] {
  const component = new KubernetesChart(chart.name, chart.wave, { parent });
  const resources = chart.objects.map((object) => kubeObjectResource(object, { parent: component, provider, dependsOn: [cluster] }));
  component.done(resources.length);
  return resources;
}
