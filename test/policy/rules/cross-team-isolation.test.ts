import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, teamObjects, withChange, without } from '../fixtures/stack.ts';

const RULE = 'cross-team-isolation';
const base = compliantStack(['alpha', 'beta', 'gamma']);

describe(RULE, () => {
  it('passes the compliant stack: no ordered pair of teams can connect', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a team whose egress and the other team’s ingress both admit each other', () => {
    let objects = withChange(base, 'NetworkPolicy', 'team-alpha/allow-dns', (o) => {
      o.spec.egress.push({ to: [{ namespaceSelector: { matchLabels: { 'paddock.dev/team': 'beta' } } }], ports: [{ protocol: 'TCP', port: 8080 }] });
    });
    // egress alone is not enough: beta's default-deny still blocks the ingress
    expect(violationsOf(RULE, objects)).toEqual([]);
    objects = withChange(objects, 'NetworkPolicy', 'team-beta/allow-runtime-to-harness', (o) => {
      o.spec.ingress.push({ from: [{ namespaceSelector: { matchExpressions: [{ key: 'paddock.dev/team', operator: 'Exists' }] } }] });
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Namespace team-alpha' }]);
    expect(found[0]!.message).toContain('can open connections to pods in 1 other team namespace (team-beta)');
    expect(found[0]!.message).toContain('on TCP/8080');
    expect(found[0]!.message).toContain('egress admitted by NetworkPolicy team-alpha/allow-dns');
    expect(found[0]!.message).toContain('ingress admitted by NetworkPolicy team-beta/allow-runtime-to-harness');
  });

  it('flags every source when teams have no default-deny and no policies at all', () => {
    const bare: KubeObject[] = ['alpha', 'beta', 'gamma'].map((t) => teamObjects(t)[0]!);
    const found = violationsOf(RULE, bare);
    expect(where(found)).toEqual([
      { rule: RULE, object: 'Namespace team-alpha' },
      { rule: RULE, object: 'Namespace team-beta' },
      { rule: RULE, object: 'Namespace team-gamma' },
    ]);
    expect(found[0]!.message).toContain('2 other team namespaces (team-beta, team-gamma)');
    expect(found[0]!.message).toContain('egress not isolated by any NetworkPolicy; ingress not isolated by any NetworkPolicy');
  });

  it('sees through an ipBlock that covers the pod network', () => {
    const objects = [
      ...withChange(without(base, 'NetworkPolicy', 'team-gamma/default-deny'), 'NetworkPolicy', 'team-beta/allow-egress-list', (o) => {
        o.spec.egress.push({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] });
      }),
    ];
    const found = violationsOf(RULE, objects, { podCidrs: ['10.244.0.0/16'] });
    expect(where(found)).toEqual([{ rule: RULE, object: 'Namespace team-beta' }]);
    expect(found[0]!.message).toContain('(team-gamma)');
    // the same block outside the pod network reaches no pod
    expect(violationsOf(RULE, objects, { podCidrs: ['192.168.0.0/16'] })).toEqual([]);
  });

  it("counts the controller's policy for a Managed template without networkPolicy", () => {
    // the controller's default admits ingress only from the sandbox router in
    // agent-sandbox-system, so it opens nothing between teams
    const objects = withChange(base, 'SandboxTemplate', 'team-beta/codex', (o) => {
      delete o.spec.networkPolicyManagement;
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
    const open = withChange(base, 'SandboxTemplate', 'team-beta/codex', (o) => {
      o.spec.networkPolicyManagement = 'Managed';
      o.spec.networkPolicy = { ingress: [{ from: [{ namespaceSelector: {} }] }], egress: [] };
    });
    const found = violationsOf(RULE, open);
    // alpha and gamma egress only to DNS, gateway and public ranges, so they still cannot reach beta
    expect(found).toEqual([]);
    const both = withChange(open, 'NetworkPolicy', 'team-gamma/allow-dns', (o) => {
      o.spec.egress.push({ to: [{ namespaceSelector: { matchLabels: { 'paddock.dev/team': 'beta' } }, podSelector: { matchLabels: { 'paddock.dev/harness': 'codex' } } }] });
    });
    expect(where(violationsOf(RULE, both))).toEqual([{ rule: RULE, object: 'Namespace team-gamma' }]);
    expect(violationsOf(RULE, both)[0]!.message).toContain('NetworkPolicy team-beta/codex-network-policy (created by the agent-sandbox controller for SandboxTemplate team-beta/codex)');
  });
});
