import { describe, expect, it } from 'vitest';
import { eksSystemObjects } from '../../../charts-synth/charts/eks-system.ts';
import { CLUSTER_BOOTSTRAP_CHART, synthesizeStack } from '../../../charts-synth/synthesize.ts';
import { shippedSpec } from '../../support/fixtures.ts';

type Json = Record<string, any>;

describe('kube-system NetworkPolicies for strict network-policy mode (EKS)', () => {
  const prod = eksSystemObjects(shippedSpec('prod')) as Json[];
  const byName = (name: string) => prod.find((o) => o.metadata.name === name)!;
  const network = shippedSpec('prod').platform.network;

  it('exists on EKS only, as the bootstrap chart the program applies with the cluster', () => {
    expect(eksSystemObjects(shippedSpec('local'))).toEqual([]);
    expect(synthesizeStack(shippedSpec('local')).some((c) => c.name === CLUSTER_BOOTSTRAP_CHART)).toBe(false);
    const chart = synthesizeStack(shippedSpec('prod')).find((c) => c.name === CLUSTER_BOOTSTRAP_CHART)!;
    expect(chart.objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'NetworkPolicy kube-system/paddock-coredns',
      'NetworkPolicy kube-system/paddock-ebs-csi-controller',
      'NetworkPolicy kube-system/paddock-ebs-csi-node',
    ]);
  });

  it('lets every pod resolve names through CoreDNS, and CoreDNS reach the API server and the VPC resolver', () => {
    const coredns = byName('paddock-coredns').spec;
    expect(coredns.podSelector).toEqual({ matchLabels: { 'k8s-app': 'kube-dns' } });
    expect(coredns.ingress[0]).toEqual({ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] });
    expect(coredns.egress[0].to).toEqual([{ ipBlock: { cidr: '172.20.0.1/32' } }, { ipBlock: { cidr: network.nodeCidr } }]);
    expect(coredns.egress[1]).toEqual({ to: [{ ipBlock: { cidr: network.nodeCidr } }, { ipBlock: { cidr: '169.254.169.253/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] });
  });

  it('lets the EBS CSI controller reach the AWS APIs on 443 only, and the node plugin only the API server', () => {
    expect(byName('paddock-ebs-csi-controller').spec.egress.at(-1)).toEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] });
    expect(byName('paddock-ebs-csi-node').spec.egress).toHaveLength(1);
    for (const policy of prod) expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });
});
