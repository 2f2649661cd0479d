import { describe, expect, it } from 'vitest';
import { NetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import { apiServerEgressRule, kubernetesServiceIp } from '../../../charts-synth/builders/api-server.ts';

describe('kubernetesServiceIp', () => {
  it('is the first address of the service range (kubeadm/kind and EKS defaults)', () => {
    expect(kubernetesServiceIp('10.96.0.0/12')).toBe('10.96.0.1');
    expect(kubernetesServiceIp('172.20.0.0/16')).toBe('172.20.0.1');
    expect(kubernetesServiceIp('192.168.255.0/24')).toBe('192.168.255.1');
  });

  it('carries across octets and works at the top of the address space', () => {
    expect(kubernetesServiceIp('255.255.255.0/24')).toBe('255.255.255.1');
    expect(kubernetesServiceIp('0.0.0.0/0')).toBe('0.0.0.1');
  });

  it('rejects what is not a usable IPv4 range, naming the field', () => {
    expect(() => kubernetesServiceIp('10.96.0.1/12')).toThrow('network.serviceCidr: "10.96.0.1/12" is not an IPv4 CIDR');
    expect(() => kubernetesServiceIp('fd00::/108')).toThrow('network.serviceCidr: "fd00::/108" is not an IPv4 CIDR');
    expect(() => kubernetesServiceIp('10.0.0.4/31')).toThrow('too small');
  });
});

describe('apiServerEgressRule', () => {
  it('admits the kubernetes Service IP and the node range on 443 and 6443 only', () => {
    const rule = apiServerEgressRule({ podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodeCidr: '172.18.0.0/16' });
    expect(rule).toEqual({
      to: [{ ipBlock: { cidr: '10.96.0.1/32' } }, { ipBlock: { cidr: '172.18.0.0/16' } }],
      ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }],
    });
    expect(() => new NetworkPolicyEgressRule(rule).validate()).not.toThrow();
  });

  it('never opens the pod range', () => {
    const rule = apiServerEgressRule({ podCidr: '10.0.0.0/16', serviceCidr: '172.20.0.0/16', nodeCidr: '10.1.0.0/16' });
    expect(rule.to!.map((peer) => peer.ipBlock?.cidr)).toEqual(['172.20.0.1/32', '10.1.0.0/16']);
  });
});
