/**
 * gVisor on the shipped EKS stack, from the real program under Pulumi's mocks: a tainted node
 * group whose launch template installs the pinned runsc, and the RuntimeClass that sends the
 * teams' gVisor sandboxes there, in place before any team object. (kind refuses gvisor:
 * test/config/eks-reachability.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GVISOR_NODE_LABEL, GVISOR_NODE_TAINT } from '../../../config/runtime-classes.ts';
import { gvisorUserData } from '../../../infra/aws/gvisor-user-data.ts';
import { UNPINNED_CHECKSUM_PLACEHOLDER } from '../../../infra/plan/plan-config.ts';
import type { PlannedResource } from '../../../infra/plan/offline-plan.ts';
import { one, ofType, runShippedStack, type ProgramRun } from '../support/program-run.ts';

let run: ProgramRun;
beforeAll(async () => {
  run = await runShippedStack('prod');
}, 120_000);

const LAUNCH_TEMPLATE = 'aws:ec2/launchTemplate:LaunchTemplate';
const NODE_GROUP = 'eks:index:ManagedNodeGroup';
const RUNTIME_CLASS = 'kubernetes:node.k8s.io/v1:RuntimeClass';
const settings = () => run.spec.platform.eks!.gvisorNodeGroup!;
const template = () => one(run.plan, LAUNCH_TEMPLATE, 'gvisor-nodes');
const group = () => one(run.plan, NODE_GROUP, 'gvisor-nodes');
const runtimeClass = () => one(run.plan, RUNTIME_CLASS, 'gvisor');
const keyOfRef = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

describe('stack prod: the gVisor node group', () => {
  it('is a component of the EKS cluster, next to the default node group', () => {
    expect(run.spec.platform.runtimeClasses).toContain('gvisor');
    expect(one(run.plan, 'paddock:aws:GvisorNodeGroup', 'gvisor').parent).toEqual({ type: 'paddock:aws:EksCluster', name: run.spec.platform.clusterName });
    for (const r of [template(), group(), runtimeClass()]) expect(r.parent, `${r.type} ${r.name}`).toEqual({ type: 'paddock:aws:GvisorNodeGroup', name: 'gvisor' });
    expect(ofType(run.plan, NODE_GROUP).map((g) => g.name).sort()).toEqual(['gvisor-nodes', 'nodes']);
  });

  it('installs the pinned runsc through its launch template, hardened like the default nodes', () => {
    const inputs = template().inputs;
    const defaults = one(run.plan, LAUNCH_TEMPLATE, 'nodes').inputs;
    expect(inputs.metadataOptions).toEqual(defaults.metadataOptions);
    expect(inputs.vpcSecurityGroupIds).toEqual(defaults.vpcSecurityGroupIds);
    expect(inputs.blockDeviceMappings).toEqual([{ deviceName: '/dev/xvda', ebs: { volumeSize: settings().diskSizeGb, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } }]);
    const userData = Buffer.from(String(inputs.userData), 'base64').toString('utf8');
    // the shipped stack pins no checksums yet: planned (like `paddock plan`) with placeholders no download matches
    expect(settings().runsc.sha512).toEqual({ runsc: UNPINNED_CHECKSUM_PLACEHOLDER, containerdShim: UNPINNED_CHECKSUM_PLACEHOLDER });
    expect(userData).toBe(gvisorUserData({ release: settings().runsc.release, arch: 'x86_64', sha512: settings().runsc.sha512! }));
    expect(userData).toContain(`${UNPINNED_CHECKSUM_PLACEHOLDER}  runsc\n`);
    expect(userData).toContain(`https://storage.googleapis.com/gvisor/releases/release/${settings().runsc.release}/x86_64`);
  });

  it('runs AL2023 managed nodes of the configured size in the private subnets, labelled and tainted for gVisor pods only', () => {
    const inputs = group().inputs;
    const defaults = one(run.plan, NODE_GROUP, 'nodes').inputs;
    expect(inputs.subnetIds).toEqual(defaults.subnetIds);
    expect(inputs.amiType).toBe('AL2023_x86_64_STANDARD');
    expect(inputs.version).toBe(run.spec.platform.eks!.kubernetesVersion);
    expect(inputs.instanceTypes).toEqual(settings().instanceTypes);
    expect(inputs.scalingConfig).toEqual({ minSize: settings().minSize, desiredSize: settings().desiredSize, maxSize: settings().maxSize });
    expect(inputs.launchTemplate).toEqual({ id: 'gvisor-nodes-mock-id', version: '1' });
    expect(inputs.labels).toEqual({ 'paddock.dev/node-pool': 'gvisor', 'paddock.dev/runtime': 'gvisor' });
    expect(inputs.taints).toEqual([{ key: 'paddock.dev/runtime', value: 'gvisor', effect: 'NO_SCHEDULE' }]);
    // joins only after what the default nodes wait for (the node role's policies, kube-system's NetworkPolicies)
    expect(group().options!.dependsOn).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment' })]));
    expect(group().options!.dependsOn).toEqual(one(run.plan, NODE_GROUP, 'nodes').options!.dependsOn);
  });

  it('has the RuntimeClass gvisor: handler runsc, scheduling onto exactly those nodes, through the cluster provider', () => {
    const inputs = runtimeClass().inputs as { metadata: { name: string }; handler: string; scheduling: { nodeSelector: Record<string, string>; tolerations: unknown[] } };
    expect(inputs.metadata.name).toBe('gvisor');
    expect(inputs.handler).toBe('runsc');
    expect(inputs.scheduling.nodeSelector).toEqual({ [GVISOR_NODE_LABEL.key]: GVISOR_NODE_LABEL.value });
    expect(inputs.scheduling.tolerations).toEqual([{ key: GVISOR_NODE_TAINT.key, operator: 'Equal', value: GVISOR_NODE_TAINT.value, effect: 'NoSchedule' }]);
    // the node group's label and taint are what the class selects and tolerates
    expect(group().inputs.labels).toMatchObject(inputs.scheduling.nodeSelector);
    expect(runtimeClass().provider).toMatch(/[$:]pulumi:providers:kubernetes::eks::/);
  });

  it('is in place, nodes and class, before any team object is applied', () => {
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
    const gvisorTemplates = run.plan.resources.filter((r) => r.type.endsWith(':SandboxTemplate') && JSON.stringify(r.inputs).includes('"runtimeClassName":"gvisor"'));
    expect(gvisorTemplates.map((r) => r.parent?.name)).toEqual(['team-data-science']);
    for (const object of run.plan.resources.filter((r) => r.custom && r.parent?.type === 'paddock:kubernetes:Chart' && r.parent.name.startsWith('team-'))) {
      const before = reachable(object);
      expect(before.has(keyOfRef(runtimeClass())), `${object.type} ${object.name} waits for the RuntimeClass`).toBe(true);
      expect(before.has(keyOfRef(group())), `${object.type} ${object.name} waits for the gVisor nodes`).toBe(true);
    }
  });
});
