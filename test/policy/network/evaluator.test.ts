/**
 * Kubernetes NetworkPolicy semantics, in the style of the upstream e2e suite: namespaces x, y,
 * z with pods a, b, c each, and a truth table of who may connect to whom on which port.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { NetworkPolicyEvaluator, type PodEndpoint } from '../../../policy/network/evaluator.ts';

const NAMESPACES = ['x', 'y', 'z'];
const PODS = ['a', 'b', 'c'];
const pod = (ns: string, name: string): PodEndpoint => ({
  namespace: ns,
  labels: { pod: name },
  ports: [
    { name: 'serve-80-tcp', containerPort: 80, protocol: 'TCP' },
    { name: 'serve-81-tcp', containerPort: 81, protocol: 'TCP' },
    { name: 'serve-81-udp', containerPort: 81, protocol: 'UDP' },
  ],
});
const ALL = NAMESPACES.flatMap((ns) => PODS.map((p) => pod(ns, p)));
const id = (p: PodEndpoint) => `${p.namespace}/${p.labels.pod}`;

function namespaces(): KubeObject[] {
  return NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ns: name } } }));
}

function policy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** Every (from -> to) pair admitted on TCP/port, as "x/a->y/b". */
function reachable(policies: KubeObject[], port = 80, protocol: 'TCP' | 'UDP' = 'TCP'): Set<string> {
  const evaluator = NetworkPolicyEvaluator.fromObjects([...namespaces(), ...policies]);
  const pairs = new Set<string>();
  for (const from of ALL) for (const to of ALL) if (evaluator.canConnect(from, to, { port, protocol })) pairs.add(`${id(from)}->${id(to)}`);
  return pairs;
}

function everythingExcept(blocked: (from: PodEndpoint, to: PodEndpoint) => boolean): Set<string> {
  const pairs = new Set<string>();
  for (const from of ALL) for (const to of ALL) if (!blocked(from, to)) pairs.add(`${id(from)}->${id(to)}`);
  return pairs;
}

describe('NetworkPolicyEvaluator', () => {
  it('admits everything when no policy selects a pod', () => {
    expect(reachable([]).size).toBe(81);
  });

  it('default-deny ingress in x blocks every connection into x, and nothing out of it', () => {
    const result = reachable([policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })]);
    expect(result).toEqual(everythingExcept((_, to) => to.namespace === 'x'));
  });

  it('default-deny egress in x blocks every connection out of x', () => {
    const result = reachable([policy('x', 'deny', { podSelector: {}, policyTypes: ['Egress'] })]);
    expect(result).toEqual(everythingExcept((from) => from.namespace === 'x'));
  });

  it('a podSelector peer admits only pods of the policy namespace', () => {
    const result = reachable([policy('x', 'allow-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })]);
    expect(result).toEqual(everythingExcept((from, to) => id(to) === 'x/a' && id(from) !== 'x/b'));
  });

  it('namespaceSelector AND podSelector in one peer differs from two peers (OR)', () => {
    const and = reachable([
      policy('x', 'and', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'c' } } }] }] }),
    ]);
    expect(and).toEqual(everythingExcept((from, to) => id(to) === 'x/a' && id(from) !== 'y/c'));
    const or = reachable([
      policy('x', 'or', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'c' } } }] }] }),
    ]);
    expect(or).toEqual(everythingExcept((from, to) => id(to) === 'x/a' && from.namespace !== 'y' && id(from) !== 'x/c'));
  });

  it('policies are additive: any selecting policy may admit', () => {
    const result = reachable([
      policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('x', 'from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }),
      policy('x', 'from-z-to-b', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] }),
    ]);
    expect(result).toEqual(everythingExcept((from, to) => to.namespace === 'x' && from.namespace !== 'y' && !(id(to) === 'x/b' && from.namespace === 'z')));
  });

  it('needs both the egress of the source and the ingress of the destination', () => {
    const policies = [
      policy('x', 'egress-to-y', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }),
      policy('y', 'ingress-from-z', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] }),
    ];
    const result = reachable(policies);
    expect([...result].filter((p) => p.startsWith('x/'))).toEqual([]);
    expect(result.has('z/a->y/b')).toBe(true);
    expect(result.has('y/a->y/b')).toBe(false);
  });

  it('restricts by port, port range, protocol and named port', () => {
    const policies = [
      policy('x', 'ports', {
        podSelector: {},
        ingress: [{ ports: [{ port: 80 }] }, { ports: [{ protocol: 'UDP', port: 'serve-81-udp' }] }],
      }),
      policy('y', 'range', { podSelector: {}, ingress: [{ ports: [{ port: 70, endPort: 80, protocol: 'TCP' }] }] }),
      policy('z', 'named', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] }),
    ];
    const into = (result: Set<string>, ns: string) => [...result].filter((p) => p.endsWith(`->${ns}/a`)).length;
    const tcp80 = reachable(policies, 80);
    expect([into(tcp80, 'x'), into(tcp80, 'y'), into(tcp80, 'z')]).toEqual([9, 9, 0]);
    const tcp81 = reachable(policies, 81);
    expect([into(tcp81, 'x'), into(tcp81, 'y'), into(tcp81, 'z')]).toEqual([0, 0, 9]);
    const udp81 = reachable(policies, 81, 'UDP');
    expect([into(udp81, 'x'), into(udp81, 'y'), into(udp81, 'z')]).toEqual([9, 0, 0]);
  });

  it('follows the policyTypes defaults: Ingress always, Egress only with egress rules', () => {
    const withEgressRules = reachable([policy('x', 'p', { podSelector: {}, egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })]);
    // no policyTypes + egress rules: both directions isolated, ingress admits nothing
    expect(withEgressRules).toEqual(everythingExcept((from, to) => to.namespace === 'x' || (from.namespace === 'x' && to.namespace !== 'y')));
    const emptyEgress = reachable([policy('x', 'p', { podSelector: {}, egress: [], ingress: [{}] })]);
    expect(emptyEgress.size).toBe(81);
  });

  it('treats an ipBlock covering the pod network as matching pods, after except', () => {
    const policies = [
      policy('x', 'deny', { podSelector: {}, policyTypes: ['Egress'] }),
      policy('x', 'cidr', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] } }] }] }),
    ];
    const objects = [...namespaces(), ...policies];
    expect(NetworkPolicyEvaluator.fromObjects(objects, { podCidrs: ['10.244.0.0/16'] }).canConnect(pod('x', 'a'), pod('y', 'a'), { port: 80 })).toBe(false);
    expect(NetworkPolicyEvaluator.fromObjects(objects, { podCidrs: ['10.245.0.0/16'] }).canConnect(pod('x', 'a'), pod('y', 'a'), { port: 80 })).toBe(true);
  });

  it('answers whether an address outside the cluster is reachable', () => {
    const evaluator = NetworkPolicyEvaluator.fromObjects([
      ...namespaces(),
      policy('x', 'deny', { podSelector: {}, policyTypes: ['Egress'] }),
      policy('x', 'public-https', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }], ports: [{ port: 443 }] }] }),
      policy('x', 'dns-anywhere', { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }),
    ]);
    expect(evaluator.canReachAddress(pod('x', 'a'), '140.82.112.3', { port: 443 })).toBe(true);
    expect(evaluator.canReachAddress(pod('x', 'a'), '140.82.112.3', { port: 80 })).toBe(false);
    expect(evaluator.canReachAddress(pod('x', 'a'), '169.254.169.254')).toBe(false);
    expect(evaluator.canReachAddress(pod('x', 'b'), '169.254.169.254', { port: 53, protocol: 'UDP' })).toBe(true);
    expect(evaluator.canReachAddress(pod('x', 'b'), '169.254.169.254', { port: 80 })).toBe(false);
    expect(evaluator.canReachAddress(pod('x', 'c'), '8.8.8.8')).toBe(false);
    expect(evaluator.canReachAddress(pod('y', 'c'), '169.254.169.254', { port: 80 })).toBe(true);
    expect(() => evaluator.canReachAddress(pod('x', 'a'), 'metadata')).toThrow('"metadata" is not an IP address');
  });

  it('explains which policies admit a connection on each side', () => {
    const evaluator = NetworkPolicyEvaluator.fromObjects([
      ...namespaces(),
      policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('x', 'to-y', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }),
    ]);
    expect(evaluator.explain(pod('x', 'a'), pod('y', 'b'), { port: 80 })).toEqual({
      allowed: true,
      egress: { isolated: true, allowedBy: ['NetworkPolicy x/to-y'] },
      ingress: { isolated: false, allowedBy: [] },
    });
    expect(evaluator.explain(pod('y', 'b'), pod('x', 'a'), { port: 80 }).allowed).toBe(false);
  });

  it("includes the agent-sandbox controller's policy for a Managed SandboxTemplate", () => {
    const template: KubeObject = {
      apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
      kind: 'SandboxTemplate',
      metadata: { name: 'codex', namespace: 'x' },
      spec: { podTemplate: { spec: { containers: [] } }, networkPolicy: { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] } },
    };
    const evaluator = NetworkPolicyEvaluator.fromObjects([...namespaces(), template]);
    const sandbox: PodEndpoint = { namespace: 'x', labels: { 'agents.x-k8s.io/sandbox-template-ref-hash': 'x.codex' } };
    expect(evaluator.canConnect(pod('y', 'a'), sandbox, { port: 8080 })).toBe(true);
    expect(evaluator.canConnect(pod('z', 'a'), sandbox, { port: 8080 })).toBe(false);
    // an omitted egress list denies all egress
    expect(evaluator.canReachAddress(sandbox, '8.8.8.8')).toBe(false);
    // other pods of the namespace are not selected
    expect(evaluator.canConnect(pod('z', 'a'), pod('x', 'a'), { port: 8080 })).toBe(true);
    const unmanaged = NetworkPolicyEvaluator.fromObjects([...namespaces(), { ...template, spec: { ...(template.spec as object), networkPolicyManagement: 'Unmanaged' } }]);
    expect(unmanaged.canConnect(pod('z', 'a'), sandbox, { port: 8080 })).toBe(true);
  });
});
