import { describe, expect, it } from 'vitest';
import { EKS_KUBERNETES_VERSIONS } from '../../../config/versions/eks-kubernetes-versions.ts';
import {
  DEFAULT_STORAGE_CLASS,
  defaultStorageClass,
  EBS_CSI_ADDON_VERSIONS,
  EBS_CSI_CONTROLLER_SERVICE_ACCOUNT,
  ebsCsiAddonVersion,
  EKS_DEFAULT_ADDON_VERSION,
  oidcIssuerOf,
  serviceAccountTrustPolicy,
  volumeKeyPolicy,
} from '../../../infra/aws/ebs-csi-settings.ts';
import { shippedSpec } from '../../support/fixtures.ts';

const PROVIDER_ARN = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C5D4F0A9E1B2C3D4E5F60718293A4B5';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/5C5D4F0A9E1B2C3D4E5F60718293A4B5';

describe('EBS CSI add-on version', () => {
  it('comes from the one table of EKS versions: an exact EKS build, or the default EKS names for the version', () => {
    expect(Object.keys(EBS_CSI_ADDON_VERSIONS)).toEqual(Object.keys(EKS_KUBERNETES_VERSIONS));
    expect(ebsCsiAddonVersion('1.30')).toBe('v1.38.1-eksbuild.1');
    expect(ebsCsiAddonVersion(shippedSpec('prod').platform.eks!.kubernetesVersion)).toBe(EKS_DEFAULT_ADDON_VERSION);
    for (const [kubernetes, addon] of Object.entries(EBS_CSI_ADDON_VERSIONS)) {
      expect(kubernetes, 'a Kubernetes minor version').toMatch(/^1\.\d+$/);
      expect(addon, `add-on for ${kubernetes}`).toMatch(/^(v\d+\.\d+\.\d+-eksbuild\.\d+|eks-default)$/);
    }
  });

  it('refuses a Kubernetes version the table does not know', () => {
    expect(() => ebsCsiAddonVersion('1.27')).toThrow('no aws-ebs-csi-driver add-on version is recorded for Kubernetes 1.27 (recorded: 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36)');
    expect(() => ebsCsiAddonVersion('constructor')).toThrow('no aws-ebs-csi-driver add-on version is recorded for Kubernetes constructor');
  });
});

describe('IRSA trust policy of the EBS CSI controller', () => {
  it('takes the issuer from the OIDC provider ARN, in every partition', () => {
    expect(oidcIssuerOf(PROVIDER_ARN)).toBe(ISSUER);
    expect(oidcIssuerOf('arn:aws-us-gov:iam::111122223333:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/ABC')).toBe('oidc.eks.us-gov-west-1.amazonaws.com/id/ABC');
  });

  it('refuses anything that is not an OIDC provider ARN, e.g. the empty ARN of a cluster without one', () => {
    for (const bad of ['', 'arn:aws:iam::111122223333:role/oidc-provider', 'arn:aws:iam::111122223333:oidc-provider/']) {
      expect(() => oidcIssuerOf(bad), JSON.stringify(bad)).toThrow('is not the ARN of an IAM OIDC provider: the EKS cluster must be created with createOidcProvider: true');
    }
  });

  it('lets only kube-system/ebs-csi-controller-sa assume the role, with tokens for STS', () => {
    expect(serviceAccountTrustPolicy(PROVIDER_ARN, EBS_CSI_CONTROLLER_SERVICE_ACCOUNT)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: PROVIDER_ARN },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:kube-system:ebs-csi-controller-sa', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
        },
      ],
    });
  });
});

describe('KMS permissions for the volume key', () => {
  it('allows grants only for AWS resources, and data-key use, on that key only', () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/0b5e7a52-1111-2222-3333-444455556666';
    const policy = volumeKeyPolicy(key) as { Statement: { Action: string[]; Resource: string; Condition?: unknown }[] };
    expect(policy.Statement.map((s) => s.Resource)).toEqual([key, key]);
    expect(policy.Statement[0]!.Action).toEqual(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']);
    expect(policy.Statement[0]!.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    expect(policy.Statement[1]!.Action).not.toContain('kms:*');
    expect(policy.Statement[1]!.Action).not.toContain('kms:ScheduleKeyDeletion');
  });
});

describe('default StorageClass', () => {
  it('is the annotated default: encrypted gp3 with the given key, bound where the pod lands, expandable, deleted with its claim', () => {
    const tags = { 'paddock.dev/stack': 'prod', 'paddock.dev/cluster': 'paddock-prod' };
    expect(defaultStorageClass('arn:aws:kms:eu-west-1:111122223333:key/k', tags)).toEqual({
      metadata: {
        name: DEFAULT_STORAGE_CLASS,
        labels: { 'app.kubernetes.io/managed-by': 'paddock', 'app.kubernetes.io/part-of': 'paddock' },
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'ebs.csi.aws.com',
      parameters: {
        type: 'gp3',
        encrypted: 'true',
        kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
        tagSpecification_1: 'paddock.dev/cluster=paddock-prod',
        tagSpecification_2: 'paddock.dev/stack=prod',
      },
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
    });
  });
});
