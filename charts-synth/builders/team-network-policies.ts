/**
 * A team namespace's network: default-deny, DNS, and per harness one policy admitting the
 * runtime controller to the harness port and letting sandboxes out to the model gateway and
 * the team's egress allow-list only (cluster networks and cloud metadata carved out).
 */
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { KubeObject } from '../kube-object.ts';
import { HARNESS_LABEL, PADDOCK_SYSTEM_NAMESPACE, RUNTIME_NAME } from '../../config/names.ts';
import type { PlatformSettings, TeamHarnessSpec, TeamSpec } from '../../config/platform-spec.ts';
import { blockedRanges } from '../../config/validate.ts';
import { allowDnsEgress, defaultDenyAll, ipBlockPeer, networkPolicy, tcpPorts } from './network-policy.ts';

export const RUNTIME_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': PADDOCK_SYSTEM_NAMESPACE } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': RUNTIME_NAME } },
};

export function modelGatewayEgress(platform: PlatformSettings): INetworkPolicyEgressRule {
  const gateway = platform.modelGateway;
  const ports = tcpPorts([gateway.port]);
  if (gateway.inCluster) {
    return { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': gateway.inCluster.namespace } }, podSelector: { matchLabels: { ...gateway.inCluster.podSelector } } }], ports };
  }
  // The gateway's own ranges are allowed as configured: it may live inside the VPC on purpose.
  return { to: (gateway.cidrs ?? []).map((cidr) => ipBlockPeer(cidr, [])), ports };
}

export function teamEgressRules(team: TeamSpec, platform: PlatformSettings): INetworkPolicyEgressRule[] {
  const blocked = blockedRanges(platform.network);
  return team.egress.map((rule) => ({
    to: [ipBlockPeer(rule.cidr, blocked)],
    ports: [...new Set(rule.ports)].sort((a, b) => a - b).map((port) => ({ protocol: rule.protocol, port })),
  }));
}

export function sandboxNetworkPolicy(team: TeamSpec, harness: TeamHarnessSpec, platform: PlatformSettings): KubeObject {
  const allowList = team.egress.map((r) => `${r.cidr} ${r.ports.join(',')}/${r.protocol}${r.description ? ` (${r.description})` : ''}`).join('; ');
  return networkPolicy(
    team.namespace,
    `sandbox-${harness.name}`,
    {
      podSelector: { matchLabels: { [HARNESS_LABEL]: harness.name } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [RUNTIME_PEER], ports: tcpPorts([harness.definition.port]) }],
      egress: [modelGatewayEgress(platform), ...teamEgressRules(team, platform)],
    },
    `"${harness.name}" sandboxes: ingress from the runtime controller on the harness port only; egress to the model gateway${allowList ? ` and the team allow-list: ${allowList}` : ''}.`,
  );
}

export function teamNetworkPolicies(team: TeamSpec, platform: PlatformSettings): KubeObject[] {
  return [defaultDenyAll(team.namespace), allowDnsEgress(team.namespace), ...team.harnesses.map((h) => sandboxNetworkPolicy(team, h, platform))];
}
