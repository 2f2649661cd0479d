import { describe, expect, it } from 'vitest';
import { teamObjects } from '../../../charts-synth/charts/team.ts';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { minimalKindConfig, shippedSpec, team, validate } from '../../support/fixtures.ts';

type Json = Record<string, any>;
const find = (objects: KubeObject[], kind: string, name: string): Json => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found as Json;
};

describe('team chart', () => {
  const spec = shippedSpec('prod');
  const dataScience = spec.teams.find((t) => t.name === 'data-science')!;
  const objects = teamObjects(spec, dataScience);

  it('puts everything in the team namespace, which enforces Pod Security restricted', () => {
    const ns = find(objects, 'Namespace', 'team-data-science');
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'paddock.dev/team': 'data-science' });
    for (const o of objects.filter((o) => o.kind !== 'Namespace')) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('team-data-science');
  });

  it('sets a quota from the team config, warm sandboxes included', () => {
    const hard = find(objects, 'ResourceQuota', 'paddock-team-quota').spec.hard;
    expect(hard).toMatchObject({ 'limits.cpu': '32', 'limits.memory': '64Gi', pods: '8', 'count/sandboxclaims.extensions.agents.x-k8s.io': '8', 'requests.storage': '80Gi', 'services.loadbalancers': '0' });
    const limits = find(objects, 'LimitRange', 'paddock-team-limits').spec.limits;
    expect(limits[0]).toMatchObject({ type: 'Container', max: { cpu: '4', memory: '8Gi' } });
  });

  it('builds a hardened template per harness with env, secrets by reference, and runtimeClassName', () => {
    const template = find(objects, 'SandboxTemplate', 'claude-code').spec;
    expect(template.networkPolicyManagement).toBe('Unmanaged');
    expect(template.envVarsInjectionPolicy).toBe('Disallowed');
    const pod = template.podTemplate.spec;
    expect(pod).toMatchObject({ runtimeClassName: 'gvisor', automountServiceAccountToken: false, serviceAccountName: 'paddock-sandbox', securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
    const container = pod.containers[0];
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '4', memory: '8Gi' } });
    expect(container.envFrom).toEqual([{ secretRef: { name: 'paddock-container-env', optional: false } }, { secretRef: { name: 'paddock-team-secrets', optional: false } }]);
    const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e.value]));
    expect(env).toMatchObject({ ANTHROPIC_BASE_URL: 'http://litellm.paddock-gateway.svc.cluster.local:4000', PADDOCK_TEAM: 'data-science', PIP_INDEX_URL: 'https://pypi.org/simple', HOME: '/home/agent' });
    expect(template.podTemplate.metadata.labels).toMatchObject({ 'paddock.dev/harness': 'claude-code', 'paddock.dev/team': 'data-science' });
  });

  it('keeps a warm pool per harness, replaced at once on template change', () => {
    expect(find(objects, 'SandboxWarmPool', 'claude-code').spec).toEqual({ replicas: 2, sandboxTemplateRef: { name: 'claude-code' }, updateStrategy: { type: 'Recreate' } });
  });

  it('denies by default and allows only DNS, the runtime in, the gateway and the allow-list out', () => {
    expect(find(objects, 'NetworkPolicy', 'default-deny-all').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const sandbox = find(objects, 'NetworkPolicy', 'sandbox-claude-code').spec;
    expect(sandbox.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'paddock-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'paddock-runtime' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    // the prod stack's gateway runs in the cluster: its pods, on its port
    expect(sandbox.egress[0]).toEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'paddock-gateway' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/component': 'model-gateway' } } }], ports: [{ protocol: 'TCP', port: 4000 }] });
    expect(sandbox.egress.slice(1).map((r: Json) => r.to[0].ipBlock.cidr)).toEqual(['140.82.112.0/20', '151.101.0.0/16']);
  });

  it('carves metadata and cluster ranges out of a wide allow-list entry', () => {
    const wide = validate(minimalKindConfig([team('open', { egress: [{ cidr: '0.0.0.0/0', ports: [443] }] })]));
    const policy = find(teamObjects(wide, wide.teams[0]!), 'NetworkPolicy', 'sandbox-scripted').spec;
    expect(policy.egress[1].to[0].ipBlock).toEqual({ cidr: '0.0.0.0/0', except: ['10.244.0.0/16', '10.96.0.0/12', '169.254.0.0/16', '172.18.0.0/16'] });
  });

  it('binds the runtime to the sandbox-claims ClusterRole in this namespace only', () => {
    const binding = find(objects, 'RoleBinding', 'paddock-runtime');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'paddock-runtime-sandbox-claims' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'paddock-runtime', namespace: 'paddock-system' }]);
    expect(find(objects, 'ServiceAccount', 'paddock-sandbox').automountServiceAccountToken).toBe(false);
  });
});
