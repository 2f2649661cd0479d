/**
 * Block storage of an EKS stack (ADR 0013), as pure data and functions: the
 * aws-ebs-csi-driver add-on version per Kubernetes minor version (ADR 0015), the IRSA trust policy of its
 * controller's service account, the KMS permissions it needs for the volume key, and the
 * default StorageClass. The component (ebs-csi-driver.ts) reads these; tests assert the
 * rendered resources against them.
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { MANAGED_BY_LABELS } from '../../config/names.ts';
import { EKS_DEFAULT_ADDON_VERSION, EKS_KUBERNETES_VERSIONS } from '../../config/versions/eks-kubernetes-versions.ts';

export const EBS_CSI_ADDON_NAME = 'aws-ebs-csi-driver';

/**
 * The add-on version for each Kubernetes minor version Paddock supports on EKS, from the one
 * table of EKS versions (config/versions/eks-kubernetes-versions.ts): a pinned
 * `vX.Y.Z-eksbuild.N`, or EKS_DEFAULT_ADDON_VERSION (the default EKS names for that
 * Kubernetes version, read at deploy time).
 */
export const EBS_CSI_ADDON_VERSIONS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(EKS_KUBERNETES_VERSIONS).map(([version, entry]) => [version, entry.ebsCsiAddon]));

/** The controller's service account, created by the add-on; its IAM role is bound by IRSA. */
export const EBS_CSI_CONTROLLER_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'ebs-csi-controller-sa' } as const;

/** AWS-managed policy with the EC2 permissions the controller needs (volumes, attachments, snapshots). */
export const EBS_CSI_DRIVER_POLICY = 'service-role/AmazonEBSCSIDriverPolicy';

/** The audience the EKS pod identity webhook puts into projected service-account tokens. */
export const STS_AUDIENCE = 'sts.amazonaws.com';

/** The default StorageClass: PVCs that name no class (the sandbox workspaces) bind to it. */
export const DEFAULT_STORAGE_CLASS = 'paddock-gp3';
export const EBS_CSI_PROVISIONER = 'ebs.csi.aws.com';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/** The pinned add-on version, or EKS_DEFAULT_ADDON_VERSION when EKS's default for the version is used. */
export function ebsCsiAddonVersion(kubernetesVersion: string): string {
  const version = Object.hasOwn(EBS_CSI_ADDON_VERSIONS, kubernetesVersion) ? EBS_CSI_ADDON_VERSIONS[kubernetesVersion] : undefined;
  if (version === undefined) throw new Error(`no ${EBS_CSI_ADDON_NAME} add-on version is recorded for Kubernetes ${kubernetesVersion} (recorded: ${Object.keys(EBS_CSI_ADDON_VERSIONS).join(', ')})`);
  return version;
}

export { EKS_DEFAULT_ADDON_VERSION };

/**
 * The issuer (host and path, no scheme) of an IAM OIDC provider, from its ARN
 * "arn:<partition>:iam::<account>:oidc-provider/<issuer>": the prefix of the condition keys in
 * a web-identity trust policy. Taken from the ARN so the condition can only name the provider
 * the policy trusts.
 */
export function oidcIssuerOf(providerArn: string): string {
  const match = /^arn:[a-z-]+:iam::\d{12}:oidc-provider\/(.+)$/.exec(providerArn);
  if (!match) throw new Error(`"${providerArn}" is not the ARN of an IAM OIDC provider: the EKS cluster must be created with createOidcProvider: true`);
  return match[1]!;
}

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** IRSA trust: only tokens the cluster's issuer minted for this one service account, for STS. */
export function serviceAccountTrustPolicy(providerArn: string, serviceAccount: ServiceAccountRef): object {
  const issuer = oidcIssuerOf(providerArn);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`,
            [`${issuer}:aud`]: STS_AUDIENCE,
          },
        },
      },
    ],
  };
}

/**
 * What the controller needs on the customer-managed key that encrypts the volumes: grants for
 * EC2 to use the key on its behalf (only for AWS resources), and the data-key operations of
 * creating and attaching an encrypted volume. On this one key only.
 */
export function volumeKeyPolicy(keyArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GrantsForEbs',
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: keyArn,
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      {
        Sid: 'EncryptedVolumes',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: keyArn,
      },
    ],
  };
}

/**
 * The default StorageClass: gp3 volumes encrypted with the stack's volume key and tagged with
 * the stack, created in the zone of the pod that first uses them (a PVC bound before its pod is
 * scheduled could land in a zone the pod cannot run in), expandable, deleted with their claim.
 */
export function defaultStorageClass(volumeKeyArn: pulumi.Input<string>, tags: Readonly<Record<string, string>>): k8s.storage.v1.StorageClassArgs {
  const tagParameters = Object.entries(tags)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value], i) => [`tagSpecification_${i + 1}`, `${key}=${value}`] as const);
  return {
    metadata: { name: DEFAULT_STORAGE_CLASS, labels: { ...MANAGED_BY_LABELS }, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
    provisioner: EBS_CSI_PROVISIONER,
    parameters: { type: 'gp3', encrypted: 'true', kmsKeyId: volumeKeyArn, ...Object.fromEntries(tagParameters) },
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
    reclaimPolicy: 'Delete',
  };
}
