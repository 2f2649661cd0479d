/**
 * Storage of the shipped EKS stack, from the real program under Pulumi's mocks: the EBS CSI
 * add-on, its IRSA role, the volume key, the default StorageClass, and that every team object
 * waits for them. (The kind stack has none of it: program-local.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { oidcIssuerOf } from '../../../infra/aws/ebs-csi-settings.ts';
import type { PlannedResource } from '../../../infra/plan/offline-plan.ts';
import { EKS_DEFAULT_ADDON_PLACEHOLDER } from '../../../infra/plan/mocks.ts';
import { one, ofType, runShippedStack, type ProgramRun } from '../support/program-run.ts';

let run: ProgramRun;
beforeAll(async () => {
  run = await runShippedStack('prod');
}, 120_000);

const ADDON = 'aws:eks/addon:Addon';
const ROLE = 'aws:iam/role:Role';
const STORAGE_CLASS = 'kubernetes:storage.k8s.io/v1:StorageClass';
const component = () => ({ type: 'paddock:aws:EbsCsiDriver', name: 'ebs-csi' });
const addon = () => one(run.plan, ADDON, 'ebs-csi-driver');
const role = () => one(run.plan, ROLE, 'ebs-csi-controller');
const volumeKey = () => one(run.plan, 'aws:kms/key:Key', 'volumes-key');
const storageClass = () => one(run.plan, STORAGE_CLASS, 'paddock-gp3');
const keyOfRef = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

describe('stack prod: EBS CSI driver', () => {
  it('is a component of the EKS cluster, which has an IAM OIDC provider', () => {
    expect(one(run.plan, component().type, component().name).parent).toEqual({ type: 'paddock:aws:EksCluster', name: run.spec.platform.clusterName });
    expect(one(run.plan, 'eks:index:Cluster', 'eks').inputs.createOidcProvider).toBe(true);
    for (const r of [addon(), role(), volumeKey(), storageClass(), one(run.plan, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment', 'ebs-csi-controller-driver-policy')]) {
      expect(r.parent, `${r.type} ${r.name}`).toEqual(component());
    }
  });

  it('installs the aws-ebs-csi-driver add-on EKS names as default for the cluster\'s Kubernetes version, with its own role, overwriting drift', () => {
    expect(addon().inputs).toEqual({
      clusterName: run.spec.platform.clusterName,
      addonName: 'aws-ebs-csi-driver',
      // 1.35 has no confirmed eksbuild in the table: the program asks EKS (aws.eks.getAddonVersion), the mock says so
      addonVersion: `${EKS_DEFAULT_ADDON_PLACEHOLDER} 1.35`,
      serviceAccountRoleArn: 'arn:aws:iam::123456789012:role/ebs-csi-controller',
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      tags: { 'paddock.dev/stack': 'prod', 'paddock.dev/cluster': 'paddock-prod', 'paddock.dev/managed-by': 'pulumi' },
    });
    expect(run.spec.platform.eks!.kubernetesVersion).toBe('1.35');
    expect(addon().provider).toMatch(/pulumi:providers:aws::aws::aws-mock-id$/);
  });

  it('installs it once the cluster, its nodes and the role\'s permissions exist', () => {
    expect(addon().options!.dependsOn).toEqual(
      expect.arrayContaining([
        { type: 'eks:index:Cluster', name: 'eks' },
        { type: 'eks:index:ManagedNodeGroup', name: 'nodes' },
        { type: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment', name: 'ebs-csi-controller-driver-policy' },
        { type: 'aws:iam/rolePolicy:RolePolicy', name: 'ebs-csi-controller-volumes-key' },
      ]),
    );
  });

  it('lets only kube-system/ebs-csi-controller-sa assume the role, through the cluster\'s OIDC provider', () => {
    const trust = JSON.parse(String(role().inputs.assumeRolePolicy)) as { Statement: { Effect: string; Principal: { Federated: string }; Action: string; Condition: { StringEquals: Record<string, string> } }[] };
    expect(trust.Statement).toHaveLength(1);
    const [statement] = trust.Statement;
    expect(statement!.Principal.Federated).toMatch(/^arn:aws:iam::123456789012:oidc-provider\/.+/);
    expect(statement!.Action).toBe('sts:AssumeRoleWithWebIdentity');
    const issuer = oidcIssuerOf(statement!.Principal.Federated);
    expect(statement!.Condition).toEqual({ StringEquals: { [`${issuer}:sub`]: 'system:serviceaccount:kube-system:ebs-csi-controller-sa', [`${issuer}:aud`]: 'sts.amazonaws.com' } });
  });

  it('gives the role the AWS-managed EBS CSI policy and the volume key, nothing else', () => {
    const attachments = ofType(run.plan, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) => a.inputs.role === 'ebs-csi-controller');
    expect(attachments.map((a) => a.inputs.policyArn)).toEqual(['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy']);
    const inline = ofType(run.plan, 'aws:iam/rolePolicy:RolePolicy');
    expect(inline.map((p) => [p.name, p.inputs.role])).toEqual([['ebs-csi-controller-volumes-key', 'ebs-csi-controller']]);
    const policy = JSON.parse(String(inline[0]!.inputs.policy)) as { Statement: { Resource: string }[] };
    expect(new Set(policy.Statement.map((s) => s.Resource))).toEqual(new Set(['arn:aws:kms:eu-west-1:123456789012:key/mock-volumes-key']));
  });

  it('encrypts volumes with their own rotating KMS key, not the Secrets key', () => {
    expect(volumeKey().inputs.enableKeyRotation).toBe(true);
    expect(volumeKey().inputs.deletionWindowInDays).toBe(30);
    expect(one(run.plan, 'aws:kms/alias:Alias', 'volumes-key').inputs.name).toBe(`alias/${run.spec.platform.clusterName}-eks-volumes`);
  });
});

describe('stack prod: default StorageClass', () => {
  it('is paddock-gp3, the annotated default: encrypted gp3 on the volume key, WaitForFirstConsumer, expandable, Delete', () => {
    expect(storageClass().inputs).toEqual({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: 'paddock-gp3',
        labels: { 'app.kubernetes.io/managed-by': 'paddock', 'app.kubernetes.io/part-of': 'paddock' },
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'ebs.csi.aws.com',
      parameters: {
        type: 'gp3',
        encrypted: 'true',
        kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/mock-volumes-key',
        tagSpecification_1: 'paddock.dev/cluster=paddock-prod',
        tagSpecification_2: 'paddock.dev/managed-by=pulumi',
        tagSpecification_3: 'paddock.dev/stack=prod',
      },
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
    });
    expect(storageClass().options!.dependsOn).toContainEqual({ type: ADDON, name: 'ebs-csi-driver' });
  });

  it('is the only default class, and goes through the provider that applies the synthesized objects', () => {
    const defaults = ofType(run.plan, STORAGE_CLASS).filter((s) => (s.inputs.metadata as { annotations?: Record<string, string> }).annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
    expect(defaults.map((s) => s.name)).toEqual(['paddock-gp3']);
    const crd = run.plan.resources.find((r) => r.type.endsWith(':CustomResourceDefinition'))!;
    expect(storageClass().provider).toMatch(/[$:]pulumi:providers:kubernetes::eks::/);
    expect(storageClass().provider).toBe(crd.provider);
  });

  it('exists, with the driver, before any team object is applied', () => {
    const byKey = new Map(run.plan.resources.map((r) => [keyOfRef(r), r]));
    const reachable = (from: PlannedResource): Set<string> => {
      const seen = new Set<string>();
      const queue = [...(from.options?.dependsOn ?? [])].map(keyOfRef);
      while (queue.length > 0) {
        const key = queue.pop()!;
        if (seen.has(key)) continue;
        seen.add(key);
        queue.push(...(byKey.get(key)?.options?.dependsOn ?? []).map(keyOfRef));
      }
      return seen;
    };
    const teamObjects = run.plan.resources.filter((r) => r.custom && r.parent?.type === 'paddock:kubernetes:Chart' && r.parent.name.startsWith('team-'));
    expect(teamObjects.length).toBeGreaterThan(run.spec.teams.length * 5);
    expect(teamObjects.some((r) => r.type.endsWith(':SandboxTemplate'))).toBe(true);
    for (const object of teamObjects) {
      const before = reachable(object);
      expect(before.has(keyOfRef(storageClass())), `${object.type} ${object.name} waits for the StorageClass`).toBe(true);
      expect(before.has(keyOfRef(addon())), `${object.type} ${object.name} waits for the add-on`).toBe(true);
    }
  });
});
