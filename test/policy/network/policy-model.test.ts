import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { controllerPolicyOf, networkPoliciesOf, normalizeNetworkPolicy } from '../../../policy/network/policy-model.ts';

const template = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
  kind: 'SandboxTemplate',
  metadata: { name: 'codex', namespace: 'team-a' },
  spec: { podTemplate: { spec: { containers: [] } }, ...spec },
});

describe('normalizeNetworkPolicy', () => {
  it('normalizes peers, ports and paths', () => {
    const policy = normalizeNetworkPolicy({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'team-a' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', 'nonsense'] } }, { namespaceSelector: {} }], ports: [{ port: 443 }] }, {}],
      },
    });
    expect(policy.ingress).toBeUndefined();
    expect(policy.egress).toHaveLength(2);
    const [first, second] = policy.egress!;
    expect(first!.path).toBe('spec.egress[0]');
    expect(first!.ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    const [ip, ns] = first!.peers as readonly { kind: string; path: string; invalid?: readonly string[] }[];
    expect(ip).toMatchObject({ kind: 'ipBlock', path: 'spec.egress[0].to[0].ipBlock', invalid: ['nonsense'] });
    expect(ns).toMatchObject({ kind: 'pods', path: 'spec.egress[0].to[1]' });
    expect(second).toEqual({ path: 'spec.egress[1]', peers: 'any', ports: 'any' });
  });
});

describe('controllerPolicyOf', () => {
  it("uses the controller's default when networkPolicy is omitted", () => {
    const policy = controllerPolicyOf(template({}))!;
    expect(policy.origin).toBe('template-default');
    expect(policy.podSelector).toEqual({ matchLabels: { 'agents.x-k8s.io/sandbox-template-ref-hash': 'team-a.codex' } });
    expect(policy.egress![0]!.path).toBe('spec.networkPolicy');
    expect(policy.label).toBe('NetworkPolicy team-a/codex-network-policy (created by the agent-sandbox controller for SandboxTemplate team-a/codex)');
  });

  it('replaces the default with the template networkPolicy, an omitted list denying that direction', () => {
    const policy = controllerPolicyOf(template({ networkPolicy: { ingress: [{}] } }))!;
    expect(policy.origin).toBe('template');
    expect(policy.ingress).toEqual([{ path: 'spec.networkPolicy.ingress[0]', peers: 'any', ports: 'any' }]);
    expect(policy.egress).toEqual([]);
  });

  it('creates nothing for Unmanaged templates', () => {
    expect(controllerPolicyOf(template({ networkPolicyManagement: 'Unmanaged' }))).toBeUndefined();
    expect(networkPoliciesOf([template({ networkPolicyManagement: 'Unmanaged' })])).toEqual([]);
  });
});
