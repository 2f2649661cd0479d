import { AGENT_SANDBOX_NAMESPACE, PADDOCK_SYSTEM_NAMESPACE } from '../../config/names.ts';
import type { PolicyContext } from '../context.ts';
import { remainingAddresses } from '../network/evaluator.ts';
import { formatAddress, intersectIntervals, intervalContainsAddress, parseIpAddress } from '../network/ip-range.ts';
import { ALL_NAMESPACES } from '../network/namespace-index.ts';
import type { IpBlockPeer, NormalizedPolicy, NormalizedRule, PodsPeer } from '../network/policy-model.ts';
import type { Finding, PolicyRule } from '../types.ts';

/** The cloud metadata endpoints (AWS, GCP, Azure share the IPv4 one; AWS's IPv6 one). */
export const METADATA_ADDRESSES: readonly string[] = ['169.254.169.254', 'fd00:ec2::254'];
const METADATA = METADATA_ADDRESSES.map((a) => ({ text: a, address: parseIpAddress(a)! }));

export const DNS_NAMESPACE = 'kube-system';
const DNS_PORT = 53;

/** A rule that admits only DNS (port 53, UDP or TCP). */
export function isDnsOnly(rule: NormalizedRule): boolean {
  if (rule.ports === 'any' || rule.ports.length === 0) return false;
  return rule.ports.every(
    (p) => (p.protocol === 'UDP' || p.protocol === 'TCP') && (p.port === DNS_PORT || p.port === String(DNS_PORT)) && (p.endPort === undefined || p.endPort === DNS_PORT),
  );
}

function describeRule(policy: NormalizedPolicy): string {
  return policy.origin === 'template-default'
    ? `networkPolicy is omitted, so the agent-sandbox controller applies its default policy, which`
    : `${policy.label}`;
}

function* ipBlockFindings(policy: NormalizedPolicy, rule: NormalizedRule, peer: IpBlockPeer, context: PolicyContext): Generator<Finding> {
  const object = policy.source;
  const path = policy.origin === 'template-default' ? rule.path : peer.path;
  if (peer.invalid.length > 0) {
    yield { object, path, message: `${describeRule(policy)} has ipBlock entries that are not IP ranges (${peer.invalid.join(', ')}); they cannot be checked, so fix them` };
  }
  const remaining = remainingAddresses(peer);
  const metadata = METADATA.filter((m) => remaining.some((piece) => intervalContainsAddress(piece, m.address)));
  if (metadata.length > 0) {
    yield {
      object,
      path,
      message: `${describeRule(policy)} admits egress to ${peer.cidr.text}, which covers the cloud metadata endpoint ${metadata.map((m) => m.text).join(' and ')}; add ${metadata.map((m) => (m.address.family === 4 ? '169.254.0.0/16' : 'fd00:ec2::/32')).join(' and ')} to its except list`,
    };
  }
  if (isDnsOnly(rule)) return;
  for (const internal of context.internalRanges) {
    const hit = remaining.map((piece) => intersectIntervals(piece, internal)).find((i) => i !== undefined);
    if (!hit) continue;
    yield {
      object,
      path,
      message: `${describeRule(policy)} admits egress to ${peer.cidr.text}, which reaches the internal range ${internal.text} (e.g. ${formatAddress(hit.family, hit.start)}) where the API server, nodes and the database live; add ${internal.text} to its except list or narrow the CIDR`,
    };
  }
}

function* namespacePeerFindings(policy: NormalizedPolicy, rule: NormalizedRule, peer: PodsPeer, context: PolicyContext): Generator<Finding> {
  if (!peer.namespaceSelector) return; // a podSelector alone stays in the team's own namespace
  const selected = context.namespaceIndex().select(peer.namespaceSelector);
  const path = policy.origin === 'template-default' ? rule.path : peer.path;
  if (selected === ALL_NAMESPACES) {
    yield { object: policy.source, path, message: `${describeRule(policy)} admits egress to every namespace (namespaceSelector: {}), including ${PADDOCK_SYSTEM_NAMESPACE} and other teams; select the one namespace that must be reached` };
    return;
  }
  const dnsOnly = isDnsOnly(rule);
  const forbidden: string[] = [];
  for (const name of selected) {
    if (name === policy.namespace) continue;
    if (name === DNS_NAMESPACE && dnsOnly) continue;
    if (name === PADDOCK_SYSTEM_NAMESPACE || name === AGENT_SANDBOX_NAMESPACE || name === DNS_NAMESPACE || context.isTeamNamespace(name)) forbidden.push(name);
    if (forbidden.length >= 3) break;
  }
  if (forbidden.length === 0) return;
  yield {
    object: policy.source,
    path,
    message: `${describeRule(policy)} admits egress to namespace${forbidden.length > 1 ? 's' : ''} ${forbidden.join(', ')}; sandboxes may reach only DNS in ${DNS_NAMESPACE} (port 53) and the model gateway, never the platform (${PADDOCK_SYSTEM_NAMESPACE}: runtime and database; ${AGENT_SANDBOX_NAMESPACE}; ${DNS_NAMESPACE} beyond DNS) nor another team`,
  };
}

export const sandboxEgressRestricted: PolicyRule = {
  id: 'sandbox-egress-restricted',
  description:
    'No NetworkPolicy in a team namespace (including the one the agent-sandbox controller makes per SandboxTemplate) admits egress to the cloud metadata endpoint, the internal networks (API server, nodes, database) or any destination on any port, nor to paddock-system, agent-sandbox-system, kube-system beyond DNS on port 53, or another team.',
  *check(context) {
    for (const policy of context.networkPolicies()) {
      if (!policy.egress || !context.isTeamNamespace(policy.namespace)) continue;
      for (const rule of policy.egress) {
        if (rule.peers === 'any') {
          if (!isDnsOnly(rule)) {
            yield {
              object: policy.source,
              path: rule.path,
              message: `${describeRule(policy)} admits egress to every destination on ${rule.ports === 'any' ? 'every port' : 'the listed ports'}, including the metadata endpoint, the API server and the database; list the destinations (ipBlock with an except list, or namespace and pod selectors)`,
            };
          }
          continue;
        }
        for (const peer of rule.peers) {
          yield* peer.kind === 'ipBlock' ? ipBlockFindings(policy, rule, peer, context) : namespacePeerFindings(policy, rule, peer, context);
        }
      }
    }
  },
};
