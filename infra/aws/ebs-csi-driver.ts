/**
 * Persistent volumes on EKS (ADR 0013): the aws-ebs-csi-driver EKS add-on, its controller's IAM
 * role bound through the cluster's OIDC provider (IRSA, trusted for one service account), a
 * customer-managed KMS key for the volumes, and the default StorageClass `paddock-gp3`, applied
 * through the same Kubernetes provider as the synthesized objects. Without it, the sandboxes'
 * workspace PVCs (which name no class) would stay Pending.
 */
import * as aws from '@pulumi/aws';
import type * as eks from '@pulumi/eks';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_STORAGE_CLASS, EBS_CSI_ADDON_NAME, EKS_DEFAULT_ADDON_VERSION, EBS_CSI_CONTROLLER_SERVICE_ACCOUNT, EBS_CSI_DRIVER_POLICY, defaultStorageClass, ebsCsiAddonVersion, serviceAccountTrustPolicy, volumeKeyPolicy } from './ebs-csi-settings.ts';

/**
 * The add-on version recorded for the Kubernetes version; where the table says
 * EKS_DEFAULT_ADDON_VERSION, the version EKS marks as default for it (mostRecent: false), read
 * when the program runs, so a Kubernetes upgrade moves the add-on with it.
 */
function addonVersion(kubernetesVersion: string, opts: pulumi.InvokeOutputOptions): pulumi.Input<string> {
  const recorded = ebsCsiAddonVersion(kubernetesVersion);
  if (recorded !== EKS_DEFAULT_ADDON_VERSION) return recorded;
  return aws.eks.getAddonVersionOutput({ addonName: EBS_CSI_ADDON_NAME, kubernetesVersion, mostRecent: false }, opts).version;
}

export interface EbsCsiDriverArgs {
  readonly clusterName: string;
  readonly kubernetesVersion: string;
  /** created with createOidcProvider: true */
  readonly cluster: eks.Cluster;
  /** the nodes: the add-on's controller and node pods must have somewhere to run before it turns ACTIVE */
  readonly nodes: readonly pulumi.Resource[];
  /** the provider the synthesized objects are applied with */
  readonly provider: k8s.Provider;
  readonly tags: Readonly<Record<string, string>>;
}

export class EbsCsiDriver extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly volumeKeyArn: pulumi.Output<string>;
  readonly storageClassName: pulumi.Output<string>;
  /** what PVCs wait for: the driver running and the default StorageClass in place */
  readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: EbsCsiDriverArgs, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:aws:EbsCsiDriver', name, {}, opts);
    const { clusterName, tags } = args;
    const parent = { parent: this };
    const partition = aws.getPartitionOutput({}, parent).partition;

    const volumeKey = new aws.kms.Key(
      'volumes-key',
      { description: `EKS ${clusterName}: encryption of persistent volumes (EBS CSI driver)`, enableKeyRotation: true, deletionWindowInDays: 30, tags: { ...tags, Name: `${clusterName}-eks-volumes` } },
      parent,
    );
    new aws.kms.Alias('volumes-key', { name: `alias/${clusterName}-eks-volumes`, targetKeyId: volumeKey.keyId }, parent);

    const sa = EBS_CSI_CONTROLLER_SERVICE_ACCOUNT;
    const role = new aws.iam.Role(
      'ebs-csi-controller',
      {
        assumeRolePolicy: args.cluster.oidcProviderArn.apply((arn) => JSON.stringify(serviceAccountTrustPolicy(arn, sa))),
        description: `EKS ${clusterName}: the EBS CSI controller (service account ${sa.namespace}/${sa.name}, IRSA)`,
        maxSessionDuration: 3600,
        tags,
      },
      parent,
    );
    const managedPolicy = new aws.iam.RolePolicyAttachment('ebs-csi-controller-driver-policy', { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${EBS_CSI_DRIVER_POLICY}` }, parent);
    const keyPolicy = new aws.iam.RolePolicy('ebs-csi-controller-volumes-key', { role: role.name, policy: volumeKey.arn.apply((arn) => JSON.stringify(volumeKeyPolicy(arn))) }, parent);

    const addon = new aws.eks.Addon(
      'ebs-csi-driver',
      {
        clusterName,
        addonName: EBS_CSI_ADDON_NAME,
        addonVersion: addonVersion(args.kubernetesVersion, { parent: this }),
        serviceAccountRoleArn: role.arn,
        // The add-on owns its objects: a hand edit in the cluster is overwritten, never kept.
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        tags,
      },
      // the cluster name is a plain string, so the cluster dependency is explicit
      { parent: this, dependsOn: [args.cluster, ...args.nodes, managedPolicy, keyPolicy] },
    );

    // named like every applied cluster-scoped object: its Kubernetes name
    const storageClass = new k8s.storage.v1.StorageClass(DEFAULT_STORAGE_CLASS, defaultStorageClass(volumeKey.arn, tags), { parent: this, provider: args.provider, dependsOn: [addon] });

    this.roleArn = role.arn;
    this.volumeKeyArn = volumeKey.arn;
    this.storageClassName = storageClass.metadata.name;
    this.ready = [addon, storageClass];
    this.registerOutputs({ roleArn: this.roleArn, volumeKeyArn: this.volumeKeyArn, storageClassName: this.storageClassName });
  }
}
