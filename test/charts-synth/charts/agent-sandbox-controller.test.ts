import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole, type IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding, type IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role, type IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding, type IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { agentSandboxControllerObjects } from '../../../charts-synth/charts/agent-sandbox-controller.ts';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { synthChart } from '../../../charts-synth/platform-chart.ts';
import type { PlatformSpec } from '../../../config/platform-spec.ts';
import { shippedSpec, validate } from '../../support/fixtures.ts';

const NS = 'agent-sandbox-system';
const NAME = 'agent-sandbox-controller';

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Namespace, ServiceAccount, ConfigMap, Deployment, NetworkPolicy, PodDisruptionBudget, ClusterRole, ClusterRoleBinding, Role, RoleBinding,
};

function find<T>(objects: readonly KubeObject[], kind: string, name: string): T {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0] as unknown as T;
}

function eksSpec(nodeGroupMinSize: number): PlatformSpec {
  return validate({
    'paddock:platform': {
      environment: 'eks',
      clusterName: 'test',
      modelGateway: { url: 'https://gateway.paddock.dev', cidrs: ['203.0.113.0/24'] },
      eks: { region: 'eu-west-1', publicAccessCidrs: ['198.51.100.0/24'], nodeGroup: { minSize: nodeGroupMinSize, desiredSize: Math.max(nodeGroupMinSize, 1), maxSize: 6 } },
    },
    'paddock:teams': [],
  });
}

const local = agentSandboxControllerObjects(shippedSpec('local'));
const prod = agentSandboxControllerObjects(shippedSpec('prod'));

describe('agent-sandbox controller objects', () => {
  it('renders the expected objects, namespaced ones in agent-sandbox-system', () => {
    const inventory = (objects: KubeObject[]) => objects.map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`).sort();
    const common = [
      `ClusterRole -/${NAME}`,
      `ClusterRoleBinding -/${NAME}`,
      `ConfigMap ${NS}/agent-sandbox-config`,
      `Deployment ${NS}/${NAME}`,
      `Namespace -/${NS}`,
      `NetworkPolicy ${NS}/${NAME}`,
      `NetworkPolicy ${NS}/allow-dns-egress`,
      `NetworkPolicy ${NS}/default-deny-all`,
      `Role ${NS}/${NAME}-leader-election`,
      `RoleBinding ${NS}/${NAME}-leader-election`,
      `ServiceAccount ${NS}/${NAME}`,
    ];
    expect(inventory(local)).toEqual(common);
    expect(inventory(prod)).toEqual([...common, `PodDisruptionBudget ${NS}/${NAME}`].sort());
  });

  it('every object validates against the Kubernetes schema (kubernetes-models)', () => {
    for (const object of [...local, ...prod]) {
      const Model = MODELS[object.kind];
      expect(Model, `no model for ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('is deterministic and survives cdk8s synthesis unchanged', () => {
    const spec = shippedSpec('prod');
    expect(JSON.stringify(agentSandboxControllerObjects(spec))).toBe(JSON.stringify(agentSandboxControllerObjects(spec)));
    const synthesized = synthChart('agent-sandbox', local);
    expect(synthesized).toHaveLength(local.length);
    expect(synthesized).toEqual(local);
  });

  it('puts the namespace under Pod Security "restricted"', () => {
    const ns = find<KubeObject>(local, 'Namespace', NS);
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'kubernetes.io/metadata.name': NS,
    });
  });
});

describe('Deployment', () => {
  const deployment = find<IDeployment>(local, 'Deployment', NAME);
  const pod = deployment.spec!.template;
  const container = pod.spec!.containers[0]!;

  it('runs the pinned upstream image with extensions on and webhooks off', () => {
    expect(pod.spec!.containers).toHaveLength(1);
    expect(container.image).toBe('registry.k8s.io/agent-sandbox/agent-sandbox-controller:v0.5.6');
    expect(container.args).toEqual(['--leader-elect=true', '--extensions', '--enable-webhook=false', '--cluster-domain=cluster.local']);
    expect(container.ports).toEqual([
      { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
      { name: 'health', containerPort: 8081, protocol: 'TCP' },
    ]);
    expect(container.ports!.some((p) => p.containerPort === 9443)).toBe(false);
  });

  it('follows the stack\'s agent-sandbox version', () => {
    // config validation only admits versions the CRDs are authored for; the builder follows the spec
    const valid = validate({
      'paddock:platform': { environment: 'kind', clusterName: 'test', modelGateway: { url: 'http://gw.example:4000', cidrs: ['203.0.113.0/24'] } },
      'paddock:teams': [],
    });
    const spec = { ...valid, platform: { ...valid.platform, agentSandbox: { version: 'v0.5.7' } } };
    const d = find<IDeployment>(agentSandboxControllerObjects(spec), 'Deployment', NAME);
    expect(d.spec!.template.spec!.containers[0]!.image).toBe('registry.k8s.io/agent-sandbox/agent-sandbox-controller:v0.5.7');
    expect(d.spec!.template.metadata!.labels!['app.kubernetes.io/version']).toBe('v0.5.7');
  });

  it('keeps upstream\'s selector and labels its pods with it plus the standard labels', () => {
    expect(deployment.spec!.selector.matchLabels).toEqual({ app: NAME });
    expect(pod.metadata!.labels).toMatchObject({
      app: NAME,
      'app.kubernetes.io/name': NAME,
      'app.kubernetes.io/managed-by': 'paddock',
      'app.kubernetes.io/part-of': 'paddock',
    });
  });

  it('probes /healthz and /readyz on the health port', () => {
    expect(container.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: 'health', scheme: 'HTTP' });
    expect(container.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: 'health', scheme: 'HTTP' });
  });

  it('requests and limits CPU and memory, and sizes Go to the CPU limit', () => {
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    expect(container.env).toEqual([{ name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } }]);
  });

  it('runs restricted: non-root 65532, no privilege escalation, no capabilities, RuntimeDefault seccomp, read-only root', () => {
    expect(pod.spec!.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.spec!.hostNetwork ?? false).toBe(false);
    expect(pod.spec!.volumes!.every((v) => v.hostPath === undefined)).toBe(true);
    expect(pod.spec!.priorityClassName).toBeUndefined();
  });

  it('mounts the token (it calls the API) and records why on the Deployment, where the policy reports it', () => {
    expect(pod.spec!.serviceAccountName).toBe(NAME);
    expect(pod.spec!.automountServiceAccountToken).toBe(true);
    const sa = find<KubeObject & { automountServiceAccountToken?: boolean }>(local, 'ServiceAccount', NAME);
    expect(sa.automountServiceAccountToken).toBe(true);
    expect(deployment.metadata!.annotations).toEqual({
      'policy.paddock.dev/waive.no-service-account-token': expect.stringMatching(/Kubernetes API/),
    });
    expect(sa.metadata.annotations).toBeUndefined();
  });

  it('mounts the label-domain config where the controller reads it, and rolls when it changes', () => {
    const config = find<KubeObject & { data: Record<string, string> }>(local, 'ConfigMap', 'agent-sandbox-config');
    expect(config.data).toEqual({ 'allowed-label-domains': 'paddock.dev' });
    expect(container.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/sandbox-config', readOnly: true });
    expect(pod.spec!.volumes).toContainEqual({ name: 'config', configMap: { name: 'agent-sandbox-config', optional: false } });
    const expected = createHash('sha256').update(JSON.stringify([['allowed-label-domains', 'paddock.dev']])).digest('hex');
    expect(pod.metadata!.annotations).toEqual({ 'paddock.dev/agent-sandbox-config-sha256': expected });
  });

  it('has a writable /tmp as its only writable path', () => {
    const writable = container.volumeMounts!.filter((m) => !m.readOnly);
    expect(writable).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.spec!.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } });
  });
});

describe('kind vs eks availability', () => {
  it('kind: one replica, no PDB, no spread constraints', () => {
    const d = find<IDeployment>(local, 'Deployment', NAME);
    expect(d.spec!.replicas).toBe(1);
    expect(d.spec!.template.spec!.topologySpreadConstraints).toBeUndefined();
    expect(local.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  it('eks: two leader-elected replicas, a PDB keeping one, spread over nodes and zones', () => {
    const d = find<IDeployment>(prod, 'Deployment', NAME);
    expect(d.spec!.replicas).toBe(2);
    expect(d.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const pdb = find<IPodDisruptionBudget>(prod, 'PodDisruptionBudget', NAME);
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: { matchLabels: { app: NAME } } });
    // the PDB and the spread constraints must select the Deployment's pods
    const podLabels = d.spec!.template.metadata!.labels!;
    expect(podLabels).toMatchObject(pdb.spec!.selector!.matchLabels!);
    const spread = d.spec!.template.spec!.topologySpreadConstraints!;
    expect(spread.map((c) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ['kubernetes.io/hostname', 'DoNotSchedule'],
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
    ]);
    for (const c of spread) expect(podLabels).toMatchObject(c.labelSelector!.matchLabels!);
  });

  it('eks with a node group that may shrink to one node only prefers distinct nodes (no Pending standby)', () => {
    const d = find<IDeployment>(agentSandboxControllerObjects(eksSpec(1)), 'Deployment', NAME);
    expect(d.spec!.template.spec!.topologySpreadConstraints![0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' });
    const d2 = find<IDeployment>(agentSandboxControllerObjects(eksSpec(2)), 'Deployment', NAME);
    expect(d2.spec!.template.spec!.topologySpreadConstraints![0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' });
  });
});

describe('RBAC', () => {
  const full = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

  it('ClusterRole grants exactly what the controller reconciles (webhooks off: no CRDs, no secrets)', () => {
    const role = find<IClusterRole>(local, 'ClusterRole', NAME);
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['persistentvolumeclaims', 'pods', 'services'], verbs: full },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
      { apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes'], verbs: full },
      { apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes/finalizers', 'sandboxes/status'], verbs: ['get', 'patch', 'update'] },
      { apiGroups: ['extensions.agents.x-k8s.io'], resources: ['sandboxclaims', 'sandboxtemplates', 'sandboxwarmpools'], verbs: full },
      {
        apiGroups: ['extensions.agents.x-k8s.io'],
        resources: ['sandboxclaims/finalizers', 'sandboxclaims/status', 'sandboxtemplates/finalizers', 'sandboxwarmpools/finalizers', 'sandboxwarmpools/status'],
        verbs: ['get', 'patch', 'update'],
      },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: full },
    ]);
  });

  it('no rule anywhere uses a wildcard, touches secrets or CRDs, or grants leases cluster-wide', () => {
    const roles = [...local, ...prod].filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role') as unknown as (IClusterRole & KubeObject)[];
    for (const role of roles) {
      for (const rule of role.rules ?? []) {
        for (const field of [rule.apiGroups ?? [], rule.resources ?? [], rule.verbs]) expect(field).not.toContain('*');
        expect(rule.resources).not.toContain('secrets');
        expect(rule.resources).not.toContain('customresourcedefinitions');
        if (role.kind === 'ClusterRole') expect(rule.resources).not.toContain('leases');
      }
    }
  });

  it('leader election: create any Lease, read and renew only the controller\'s own, in its namespace', () => {
    const role = find<IRole>(local, 'Role', `${NAME}-leader-election`);
    expect(role.metadata!.namespace).toBe(NS);
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['a3317529.agent-sandbox.x-k8s.io'], verbs: ['get', 'update'] },
    ]);
  });

  it('binds both roles to the controller\'s ServiceAccount, never to cluster-admin', () => {
    const subject = [{ kind: 'ServiceAccount', name: NAME, namespace: NS }];
    const crb = find<IClusterRoleBinding>(local, 'ClusterRoleBinding', NAME);
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME });
    expect(crb.subjects).toEqual(subject);
    const rb = find<IRoleBinding>(local, 'RoleBinding', `${NAME}-leader-election`);
    expect(rb.metadata!.namespace).toBe(NS);
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-leader-election` });
    expect(rb.subjects).toEqual(subject);
  });
});

describe('NetworkPolicies', () => {
  function policies(objects: KubeObject[]): Map<string, INetworkPolicy> {
    return new Map(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => [o.metadata.name, o as unknown as INetworkPolicy]));
  }

  it('default-deny everything in the namespace, then DNS for all pods', () => {
    const p = policies(local);
    expect(p.get('default-deny-all')!.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(p.get('allow-dns-egress')!.spec!.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
    ]);
  });

  it('kind: the controller reaches the API server (service IP and node range) and nothing connects to it', () => {
    const policy = policies(local).get(NAME)!.spec!;
    const podLabels = find<IDeployment>(local, 'Deployment', NAME).spec!.template.metadata!.labels!;
    expect(podLabels).toMatchObject(policy.podSelector.matchLabels!);
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.ingress).toEqual([]);
    expect(policy.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.96.0.1/32' } }, { ipBlock: { cidr: '172.18.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] },
    ]);
  });

  it('eks: the API server is the kubernetes Service IP and the VPC', () => {
    const policy = policies(prod).get(NAME)!.spec!;
    expect(policy.egress![0]!.to).toEqual([{ ipBlock: { cidr: '172.20.0.1/32' } }, { ipBlock: { cidr: '10.0.0.0/16' } }]);
  });
});
