/**
 * Security that holds from the first packet on EKS (ADR 0017), from the real program under
 * Pulumi's mocks: the VPC CNI in strict network-policy mode with security groups for pods, the
 * control plane's role able to make branch ENIs, kube-system's NetworkPolicies applied before
 * any node, and RDS reachable from the runtime pods' own security group only — given to them by
 * a SecurityGroupPolicy that exists before the runtime's pods.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { keyOf } from '../../../infra/kubernetes/apply-plan.ts';
import type { PlannedResource } from '../../../infra/plan/offline-plan.ts';
import { one, ofType, runShippedStack, type ProgramRun } from '../support/program-run.ts';

let run: ProgramRun;
beforeAll(async () => {
  run = await runShippedStack('prod');
}, 120_000);

const idOf = (r: PlannedResource) => `${r.name}-mock-id`;
const NODE_SG = 'sg-0mocknodes';
const CLUSTER_SG = 'sg-0mockcluster';
const cluster = () => one(run.plan, 'eks:index:Cluster', 'eks');
const runtimeGroup = () => one(run.plan, 'aws:ec2/securityGroup:SecurityGroup', 'runtime-pods');
const sgp = () => one(run.plan, 'kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy', 'paddock-system/paddock-runtime');
const refOf = (r: PlannedResource) => ({ type: r.type, name: r.name });

/** Every resource `name` waits for, directly or through what it waits for. */
function ancestors(resource: PlannedResource): Set<string> {
  const byRef = new Map(run.plan.resources.map((r) => [`${r.type}::${r.name}`, r]));
  const seen = new Set<string>();
  const stack = [...(resource.options?.dependsOn ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    const key = `${next.type}::${next.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    stack.push(...(byRef.get(key)?.options?.dependsOn ?? []));
  }
  return seen;
}

describe('stack prod: VPC CNI', () => {
  it('enforces NetworkPolicy in strict mode (a new pod is closed until its policies are programmed) and gives pods security groups (standard mode, as AWS requires with network policies)', () => {
    expect(cluster().inputs.vpcCniOptions).toMatchObject({
      enableNetworkPolicy: true,
      enablePodEni: true,
      configurationValues: { env: { NETWORK_POLICY_ENFORCING_MODE: 'strict', POD_SECURITY_GROUP_ENFORCING_MODE: 'standard' } },
    });
  });

  it('runs the control plane under a role with the VPC resource controller policy (branch ENIs), attached before the cluster', () => {
    const role = one(run.plan, 'aws:iam/role:Role', 'cluster-role');
    expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal).toEqual({ Service: 'eks.amazonaws.com' });
    const attachments = ofType(run.plan, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) => a.inputs.role === 'cluster-role');
    expect(attachments.map((a) => String(a.inputs.policyArn).split('/').at(-1)).sort()).toEqual(['AmazonEKSClusterPolicy', 'AmazonEKSVPCResourceController']);
    expect(JSON.stringify(cluster().inputs.serviceRole)).toContain('cluster-role');
    for (const attachment of attachments) expect(cluster().options!.dependsOn).toContainEqual(refOf(attachment));
  });
});

describe('stack prod: kube-system under strict mode', () => {
  const policies = () => run.plan.resources.filter((r) => r.type === 'kubernetes:networking.k8s.io/v1:NetworkPolicy' && String(r.name).startsWith('kube-system/'));

  it('applies CoreDNS\'s and the EBS CSI driver\'s NetworkPolicies with the cluster itself, before any node group', () => {
    expect(policies().map((p) => p.name).sort()).toEqual(['kube-system/paddock-coredns', 'kube-system/paddock-ebs-csi-controller', 'kube-system/paddock-ebs-csi-node']);
    const nodes = one(run.plan, 'eks:index:ManagedNodeGroup', 'nodes');
    for (const policy of policies()) {
      expect(policy.parent).toEqual({ type: 'paddock:kubernetes:Chart', name: 'kube-system' });
      expect(policy.options!.dependsOn).toEqual([{ type: 'eks:index:Cluster', name: 'eks' }]);
      expect(policy.provider).toMatch(/pulumi:providers:kubernetes::eks::/);
      expect(nodes.options!.dependsOn).toContainEqual(refOf(policy));
    }
    expect(one(run.plan, 'paddock:kubernetes:Chart', 'kube-system').parent).toEqual({ type: 'paddock:aws:EksCluster', name: run.spec.platform.clusterName });
  });
});

describe('stack prod: security groups for pods', () => {
  it('gives the runtime pods their own security group: the API in from the nodes; out only to the API server, DNS, the harnesses, PostgreSQL and the model gateway', () => {
    const group = idOf(runtimeGroup());
    const ingress = ofType(run.plan, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.securityGroupId === group);
    expect(ingress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort])).toEqual([[NODE_SG, 'tcp', 8080, 8080]]);
    const egress = ofType(run.plan, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule').filter((r) => r.inputs.securityGroupId === group);
    const harnessPorts = [...new Set(run.spec.teams.flatMap((t) => t.harnesses.map((h) => h.definition.port)))].sort((a, b) => a - b);
    expect(egress.map((r) => `${r.inputs.referencedSecurityGroupId} ${r.inputs.ipProtocol}/${r.inputs.fromPort}`).sort()).toEqual(
      [
        `${CLUSTER_SG} tcp/443`,
        `${NODE_SG} udp/53`,
        `${NODE_SG} tcp/53`,
        ...harnessPorts.map((p) => `${NODE_SG} tcp/${p}`),
        `${idOf(one(run.plan, 'aws:ec2/securityGroup:SecurityGroup', 'postgres'))} tcp/5432`,
        // the model gateway's admin API (the runtime registers team keys), ADR 0024
        `${idOf(one(run.plan, 'aws:ec2/securityGroup:SecurityGroup', 'gateway-pods'))} tcp/4000`,
      ].sort(),
    );
    expect(egress.every((r) => r.inputs.cidrIpv4 === undefined)).toBe(true);
  });

  it('lets the runtime pods into the API server, cluster DNS and the sandboxes, which sit behind the node and cluster groups', () => {
    const group = idOf(runtimeGroup());
    const fromRuntime = ofType(run.plan, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.referencedSecurityGroupId === group);
    expect(fromRuntime.map((r) => `${r.inputs.securityGroupId} ${r.inputs.ipProtocol}/${r.inputs.fromPort}`)).toContain(`${NODE_SG} udp/53`);
    expect(fromRuntime.map((r) => `${r.inputs.securityGroupId} ${r.inputs.ipProtocol}/${r.inputs.fromPort}`)).toContain(`${CLUSTER_SG} tcp/443`);
    expect(fromRuntime.some((r) => r.inputs.fromPort === 5432)).toBe(true);
  });

  it('gives the group to the runtime pods through a SecurityGroupPolicy that selects exactly the Deployment\'s pods', () => {
    const deployment = one(run.plan, 'kubernetes:apps/v1:Deployment', 'paddock-system/paddock-runtime');
    expect(sgp().inputs).toMatchObject({
      apiVersion: 'vpcresources.k8s.aws/v1beta1',
      kind: 'SecurityGroupPolicy',
      metadata: { name: 'paddock-runtime', namespace: 'paddock-system' },
      spec: { podSelector: (deployment.inputs.spec as { selector: unknown }).selector, securityGroups: { groupIds: [idOf(runtimeGroup())] } },
    });
  });

  it('applies the SecurityGroupPolicy after paddock-system exists and before the runtime\'s pods, so no runtime pod starts without the group', () => {
    const deployment = one(run.plan, 'kubernetes:apps/v1:Deployment', 'paddock-system/paddock-runtime');
    expect(ancestors(deployment)).toContain(`${sgp().type}::${sgp().name}`);
    expect(sgp().options!.dependsOn).toContainEqual({ type: 'kubernetes:core/v1:Namespace', name: 'paddock-system' });
    expect(sgp().provider).toMatch(/pulumi:providers:kubernetes::eks::/);
  });
});

it('keys the SecurityGroupPolicy like any other object (apply-plan)', () => {
  expect(keyOf(sgp().inputs as never)).toBe('vpcresources.k8s.aws/v1beta1/SecurityGroupPolicy:paddock-system/paddock-runtime');
});
