import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import type { PolicyOptions } from '../../../policy/index.ts';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange, without } from '../fixtures/stack.ts';

const RULE = 'team-network-allows';
const base = compliantStack();
const GATEWAY: PolicyOptions = { modelGateway: { port: 4000, inCluster: { namespace: 'litellm', podSelector: { 'app.kubernetes.io/name': 'litellm' } } } };
const check = (objects: readonly KubeObject[], options: PolicyOptions = GATEWAY) => violationsOf(RULE, objects, options);
const messages = (objects: readonly KubeObject[], options?: PolicyOptions) => check(objects, options).map((v) => `${v.object}: ${v.message}`);

describe(RULE, () => {
  it('passes the compliant stack, with and without the model gateway option', () => {
    expect(check(base)).toEqual([]);
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('requires DNS over UDP and TCP', () => {
    const udpOnly = withChange(base, 'NetworkPolicy', 'team-alpha/allow-dns', (o) => (o.spec.egress = [{ ...o.spec.egress[0], ports: [{ protocol: 'UDP', port: 53 }] }]));
    expect(where(check(udpOnly))).toEqual([
      { rule: RULE, object: 'SandboxTemplate team-alpha/claude-code' },
      { rule: RULE, object: 'SandboxTemplate team-alpha/codex' },
    ]);
    expect(messages(udpOnly)[0]).toContain('cannot reach cluster DNS (kube-dns in kube-system) on TCP/53');
    expect(where(check(without(base, 'NetworkPolicy', 'team-beta/allow-dns')))).toHaveLength(2);
  });

  it('requires the model gateway on its port, when the options name it', () => {
    const wrongPort = withChange(base, 'NetworkPolicy', 'team-alpha/allow-model-gateway', (o) => (o.spec.egress = [{ ...o.spec.egress[0], ports: [{ protocol: 'TCP', port: 4001 }] }]));
    const found = messages(wrongPort);
    expect(found.some((m) => m.includes('cannot reach the model gateway') && m.includes('TCP/4000'))).toBe(true);
    // the peer on the wrong port is then an egress to pods that is not the gateway
    expect(found.some((m) => m.includes('neither cluster DNS') && m.startsWith('NetworkPolicy team-alpha/allow-model-gateway'))).toBe(true);
    const outside = { modelGateway: { port: 443, cidrs: ['203.0.113.0/24'] } };
    expect(messages(base, outside).filter((m) => m.includes('cannot reach the model gateway (203.0.113.0/24) on TCP/443'))).toHaveLength(0);
    const noEgressList = without(base, 'NetworkPolicy', 'team-beta/allow-egress-list');
    expect(messages(noEgressList, outside).filter((m) => m.includes('cannot reach the model gateway (203.0.113.0/24) on TCP/443'))).toHaveLength(2);
  });

  it('requires the runtime to reach the harness port, in both directions', () => {
    const noIngress = without(base, 'NetworkPolicy', 'team-alpha/allow-runtime-to-harness');
    expect(messages(noIngress)).toEqual([
      expect.stringMatching(/^SandboxTemplate team-alpha\/claude-code: the runtime \(Deployment paddock-system\/paddock-runtime pods .*\) cannot open connections to .* on the harness port TCP\/8080 \(egress: TCP\/8080; ingress: no ports\)/),
      expect.stringMatching(/^SandboxTemplate team-alpha\/codex: the runtime/),
    ]);
    const noEgress = withChange(base, 'NetworkPolicy', 'paddock-system/runtime-egress', (o) => (o.spec.egress = o.spec.egress.slice(0, -1)));
    expect(check(noEgress)).toHaveLength(4);
  });

  it('flags a runtime admitted on more than the harness port', () => {
    const wider = withChange(base, 'NetworkPolicy', 'team-beta/allow-runtime-to-harness', (o) => (o.spec.ingress = [{ ...o.spec.ingress[0], ports: [...o.spec.ingress[0].ports, { protocol: 'TCP', port: 9090 }] }]));
    expect(messages(wider)).toEqual([
      expect.stringContaining('admit the runtime on TCP/8080, TCP/9090, more than the harness port TCP/8080'),
      expect.stringContaining('admit the runtime on TCP/8080, TCP/9090, more than the harness port TCP/8080'),
    ]);
  });

  it.each([
    ['another pod of paddock-system (Postgres)', { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'paddock-system' } } }, /admit ingress from .*paddock-system/],
    ['a pod of the same team', { podSelector: {} }, /admit ingress from .*team-alpha/],
    ['an address', { ipBlock: { cidr: '10.0.0.0/8' } }, /admits ingress to .* from 10\.0\.0\.0\/8/],
  ])('flags ingress from %s', (_, peer, message) => {
    const objects = withChange(base, 'NetworkPolicy', 'team-alpha/allow-runtime-to-harness', (o) => (o.spec.ingress = [...o.spec.ingress, { from: [peer], ports: [{ protocol: 'TCP', port: 8080 }] }]));
    const found = messages(objects);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((m) => m.includes('team-alpha'))).toBe(true);
    expect(found.some((m) => message.test(m))).toBe(true);
  });

  it('flags a sandbox not isolated for ingress at all', () => {
    const objects = withChange(without(base, 'NetworkPolicy', 'team-alpha/allow-runtime-to-harness'), 'NetworkPolicy', 'team-alpha/default-deny', (o) => (o.spec.policyTypes = ['Egress']));
    expect(messages(objects).filter((m) => m.includes('are not isolated for ingress'))).toHaveLength(2);
  });

  it('flags egress to pods that are neither DNS nor the model gateway', () => {
    const objects = withChange(base, 'NetworkPolicy', 'team-beta/allow-model-gateway', (o) =>
      (o.spec.egress = [...o.spec.egress, { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 9090 }] }]),
    );
    expect(where(check(objects))).toEqual([{ rule: RULE, object: 'NetworkPolicy team-beta/allow-model-gateway', path: 'spec.egress[1].to[0]' }]);
    const sameTeam = withChange(base, 'NetworkPolicy', 'team-beta/allow-model-gateway', (o) => (o.spec.egress = [...o.spec.egress, { to: [{ podSelector: {} }] }]));
    expect(where(check(sameTeam))).toEqual([{ rule: RULE, object: 'NetworkPolicy team-beta/allow-model-gateway', path: 'spec.egress[1].to[0]' }]);
  });

  it('names a sandbox without a harness port', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-alpha/codex', (o) => (o.spec.podTemplate.spec.containers = [{ ...o.spec.podTemplate.spec.containers[0], ports: [] }]));
    expect(messages(objects).filter((m) => m.startsWith('SandboxTemplate team-alpha/codex'))).toEqual([expect.stringContaining('declare no container port named "harness"')]);
  });
});
