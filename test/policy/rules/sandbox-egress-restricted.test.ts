import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'sandbox-egress-restricted';
const base = compliantStack();
const EGRESS_LIST = 'NetworkPolicy team-alpha/allow-egress-list';
const KIND_NETWORKS = { internalCidrs: ['10.244.0.0/16', '10.96.0.0/12', '172.18.0.0/16'] };

function withEgressRule(rule: Record<string, unknown>) {
  return withChange(base, 'NetworkPolicy', 'team-alpha/allow-egress-list', (o) => {
    o.spec.egress = [rule];
  });
}

describe(RULE, () => {
  it('passes the compliant stack (public egress with every internal range and the metadata range excepted)', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags an ipBlock covering the metadata endpoint and the internal ranges', () => {
    const found = violationsOf(RULE, withEgressRule({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }));
    expect(new Set(where(found).map((v) => JSON.stringify(v)))).toEqual(new Set([JSON.stringify({ rule: RULE, object: EGRESS_LIST, path: 'spec.egress[0].to[0].ipBlock' })]));
    const messages = found.map((v) => v.message);
    expect(messages.filter((m) => m.includes('metadata endpoint 169.254.169.254; add 169.254.0.0/16 to its except list'))).toHaveLength(1);
    for (const range of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10']) {
      expect(messages.filter((m) => m.includes(`internal range ${range}`))).toHaveLength(1);
    }
  });

  it('flags a /32 on the metadata endpoint, and accepts an except list that removes it', () => {
    const direct = violationsOf(RULE, withEgressRule({ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ protocol: 'TCP', port: 80 }] }));
    expect(where(direct)).toEqual([{ rule: RULE, object: EGRESS_LIST, path: 'spec.egress[0].to[0].ipBlock' }]);
    const excepted = withEgressRule({ to: [{ ipBlock: { cidr: '169.254.0.0/16', except: ['169.254.169.254/32'] } }], ports: [{ protocol: 'TCP', port: 80 }] });
    expect(violationsOf(RULE, excepted, KIND_NETWORKS)).toEqual([]);
  });

  it('flags IPv6 everything, which covers the AWS IPv6 metadata endpoint fd00:ec2::254', () => {
    const found = violationsOf(RULE, withEgressRule({ to: [{ ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }));
    expect(new Set(found.map((v) => `${v.object} ${v.path}`))).toEqual(new Set([`${EGRESS_LIST} spec.egress[0].to[0].ipBlock`]));
    expect(found.map((v) => v.message).filter((m) => m.includes('metadata endpoint fd00:ec2::254; add fd00:ec2::/32'))).toHaveLength(1);
    // fc00::/7 (an internal range) contains it, so excepting the internal ranges is enough
    const excepted = withEgressRule({ to: [{ ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10'] } }], ports: [{ protocol: 'TCP', port: 443 }] });
    expect(violationsOf(RULE, excepted)).toEqual([]);
  });

  it('flags a rule with no destinations, unless it only admits DNS', () => {
    const anywhere = violationsOf(RULE, withEgressRule({ ports: [{ protocol: 'TCP', port: 443 }] }));
    expect(where(anywhere)).toEqual([{ rule: RULE, object: EGRESS_LIST, path: 'spec.egress[0]' }]);
    const allPorts = violationsOf(RULE, withEgressRule({}));
    expect(allPorts[0]!.message).toContain('every destination on every port');
    expect(violationsOf(RULE, withEgressRule({ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }))).toEqual([]);
  });

  it.each([
    ['paddock-system', { matchLabels: { 'kubernetes.io/metadata.name': 'paddock-system' } }, [{ protocol: 'TCP', port: 5432 }], 'paddock-system'],
    ['another team', { matchLabels: { 'paddock.dev/team': 'beta' } }, [{ protocol: 'TCP', port: 8080 }], 'team-beta'],
    ['kube-system beyond DNS', { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, [{ protocol: 'TCP', port: 443 }], 'kube-system'],
    ['every namespace', {}, [{ protocol: 'TCP', port: 443 }], 'every namespace'],
  ])('flags a namespaceSelector admitting %s', (_, namespaceSelector, ports, named) => {
    const found = violationsOf(RULE, withEgressRule({ to: [{ namespaceSelector }], ports }));
    expect(where(found)).toEqual([{ rule: RULE, object: EGRESS_LIST, path: 'spec.egress[0].to[0]' }]);
    expect(found[0]!.message).toContain(named);
  });

  it('accepts the own namespace and an in-cluster model gateway namespace', () => {
    const objects = withEgressRule({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-alpha' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'litellm' } } }],
      ports: [{ protocol: 'TCP', port: 4000 }],
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
  });

  it("flags a Managed SandboxTemplate without networkPolicy: the controller's default admits internal ranges outside RFC 1918", () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-beta/codex', (o) => {
      delete o.spec.networkPolicyManagement;
    });
    const found = violationsOf(RULE, objects);
    expect(new Set(found.map((v) => `${v.object} ${v.path}`))).toEqual(new Set(['SandboxTemplate team-beta/codex spec.networkPolicy']));
    expect(found.map((v) => v.message).join('\n')).toContain('internal range 100.64.0.0/10');
    // with the stack's real (kind) networks, the default keeps sandboxes out of them
    expect(violationsOf(RULE, objects, KIND_NETWORKS)).toEqual([]);
  });

  it("flags a SandboxTemplate's own networkPolicy egress", () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-beta/codex', (o) => {
      o.spec.networkPolicyManagement = 'Managed';
      o.spec.networkPolicy = { egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }, { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] };
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'SandboxTemplate team-beta/codex', path: 'spec.networkPolicy.egress[1].to[0].ipBlock' }]);
  });

  it('uses the configured internal ranges: a corporate range outside the cluster may be allowed', () => {
    const objects = withEgressRule({ to: [{ ipBlock: { cidr: '10.50.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: EGRESS_LIST, path: 'spec.egress[0].to[0].ipBlock' }]);
    expect(violationsOf(RULE, objects, KIND_NETWORKS)).toEqual([]);
  });

  it('does not apply to platform namespaces (the runtime must reach the teams)', () => {
    const objects = withChange(base, 'NetworkPolicy', 'paddock-system/runtime-egress', (o) => {
      o.spec.egress.push({ to: [{ namespaceSelector: {} }] });
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
  });
});
