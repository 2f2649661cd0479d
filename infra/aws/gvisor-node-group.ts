/**
 * The gVisor node group (ADR 0016): a managed node group of the EKS-optimized AL2023 AMI whose
 * launch template installs a pinned, checksum-verified runsc and the containerd handler `runsc`
 * (gvisor-user-data.ts), with the same hardening as the default nodes (IMDSv2, hop limit 1,
 * encrypted root volume, private subnets). Its nodes carry the gVisor label and a NoSchedule
 * taint, so only pods of the RuntimeClass `gvisor` (whose scheduling adds the matching node
 * selector and toleration) ever land there. The RuntimeClass lives here, with the nodes it
 * describes, applied through the cluster's provider (like the default StorageClass, ADR 0013).
 */
import * as aws from '@pulumi/aws';
import * as eks from '@pulumi/eks';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { GvisorNodeGroupSpec } from '../../config/platform-spec.ts';
import { GVISOR_NODE_LABEL, GVISOR_NODE_TAINT, gvisorRuntimeClass } from '../../config/runtime-classes.ts';
import { NODE_METADATA_OPTIONS, nodeAmiType } from './eks-settings.ts';
import { gvisorArch } from './gvisor-release.ts';
import { gvisorUserData } from './gvisor-user-data.ts';

export interface GvisorNodeGroupArgs {
  readonly clusterName: string;
  readonly kubernetesVersion: string;
  readonly settings: GvisorNodeGroupSpec;
  readonly cluster: eks.Cluster;
  readonly nodeRole: aws.iam.Role;
  readonly subnetIds: pulumi.Input<string>[];
  /** what the nodes must not join before: the node role's policies, kube-system's NetworkPolicies */
  readonly joinAfter: readonly pulumi.Resource[];
  /** the cluster's server-side-apply provider, for the RuntimeClass */
  readonly provider: k8s.Provider;
  readonly tags: Readonly<Record<string, string>>;
}

/** The EKS API spells taint effects in upper snake case. */
const EKS_TAINT_EFFECT = { NoSchedule: 'NO_SCHEDULE' } as const;

export class GvisorNodeGroup extends pulumi.ComponentResource {
  readonly nodeGroup: eks.ManagedNodeGroup;
  readonly runtimeClass: k8s.node.v1.RuntimeClass;
  /** what gVisor pods wait for: the class, and nodes that run it */
  readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: GvisorNodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:aws:GvisorNodeGroup', name, {}, opts);
    const { settings, clusterName, tags } = args;
    const nodeTags = { ...tags, Name: `${clusterName}-gvisor-node` };
    const { release, sha512 } = settings.runsc;
    if (!sha512) throw new Error(`gVisor ${release}: no pinned checksums (the config check refuses this stack)`); // program-inputs.ts guarantees them
    const userData = gvisorUserData({ release, arch: gvisorArch(settings.instanceTypes), sha512 });

    const launchTemplate = new aws.ec2.LaunchTemplate(
      'gvisor-nodes',
      {
        namePrefix: `${clusterName}-gvisor-`,
        description: `EKS ${clusterName} gVisor nodes: runsc ${settings.runsc.release} (SHA-512 verified), IMDSv2 only, hop limit 1, encrypted root volume`,
        updateDefaultVersion: true,
        metadataOptions: { ...NODE_METADATA_OPTIONS },
        blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: settings.diskSizeGb, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } }],
        vpcSecurityGroupIds: [args.cluster.nodeSecurityGroupId],
        userData: Buffer.from(userData, 'utf8').toString('base64'),
        tagSpecifications: [
          { resourceType: 'instance', tags: nodeTags },
          { resourceType: 'volume', tags: nodeTags },
        ],
        tags,
      },
      { parent: this },
    );

    this.nodeGroup = new eks.ManagedNodeGroup(
      'gvisor-nodes',
      {
        cluster: args.cluster,
        nodeGroupNamePrefix: `${clusterName}-gvisor-`,
        nodeRole: args.nodeRole,
        subnetIds: args.subnetIds,
        instanceTypes: [...settings.instanceTypes],
        amiType: nodeAmiType(settings.instanceTypes),
        capacityType: 'ON_DEMAND',
        version: args.kubernetesVersion,
        scalingConfig: { minSize: settings.minSize, desiredSize: settings.desiredSize, maxSize: settings.maxSize },
        launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
        labels: { 'paddock.dev/node-pool': 'gvisor', [GVISOR_NODE_LABEL.key]: GVISOR_NODE_LABEL.value },
        taints: [{ key: GVISOR_NODE_TAINT.key, value: GVISOR_NODE_TAINT.value, effect: EKS_TAINT_EFFECT[GVISOR_NODE_TAINT.effect] }],
        tags,
      },
      { parent: this, dependsOn: [...args.joinAfter] },
    );
    const { metadata, handler, scheduling } = gvisorRuntimeClass();
    this.runtimeClass = new k8s.node.v1.RuntimeClass('gvisor', { metadata, handler, scheduling }, { parent: this, provider: args.provider, dependsOn: [this.nodeGroup] });
    this.ready = [this.nodeGroup, this.runtimeClass];
    this.registerOutputs({ release: settings.runsc.release, runtimeClass: metadata.name });
  }
}
