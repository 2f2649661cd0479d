/**
 * The pods that may run in a namespace, as the network sees them: one per rendered pod
 * template (sandbox pods carry the labels the agent-sandbox controller gives them), one per
 * policy podSelector nobody renders yet (a pod such a policy is written for), and a pod with
 * no labels at all (anything else someone starts there).
 */
import { describeObject } from '../../charts-synth/kube-object.ts';
import { isKind, KINDS } from '../kinds.ts';
import { containersOf, type PodSite } from '../workload/pod-sites.ts';
import type { NamedPort, PodEndpoint } from './evaluator.ts';
import { formatLabels, witnessLabels, type Labels } from './label-selector.ts';
import { SANDBOX_TEMPLATE_REF_LABEL, sandboxTemplateRef, type NormalizedPolicy } from './policy-model.ts';

/** Label prefixes the agent-sandbox controller silently drops from template pod metadata. */
const CONTROLLER_RESERVED_PREFIXES = ['agents.x-k8s.io/', 'extensions.agents.x-k8s.io/'];

/** The labels a pod made from this site carries. */
export function podLabelsOf(site: PodSite): Labels {
  if (!isKind(site.object, KINDS.SandboxTemplate)) return site.labels;
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(site.labels)) {
    if (!CONTROLLER_RESERVED_PREFIXES.some((p) => key.startsWith(p))) labels[key] = value;
  }
  labels[SANDBOX_TEMPLATE_REF_LABEL] = sandboxTemplateRef(site.namespace, site.object.metadata.name);
  return labels;
}

export function endpointOf(site: PodSite): PodEndpoint {
  const ports: NamedPort[] = containersOf(site).flatMap(({ container }) =>
    (container.ports ?? []).map((p) => ({ containerPort: p.containerPort, ...(p.name ? { name: p.name } : {}), ...(p.protocol ? { protocol: p.protocol } : {}) })),
  );
  return { namespace: site.namespace, labels: podLabelsOf(site), ports, origin: describeObject(site.object) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function endpointsByNamespace(namespaces: readonly string[], sites: readonly PodSite[], policies: readonly NormalizedPolicy[]): Map<string, PodEndpoint[]> {
  const result = new Map<string, PodEndpoint[]>();
  const seen = new Map<string, Set<string>>();
  const add = (endpoint: PodEndpoint) => {
    const keys = seen.get(endpoint.namespace);
    const list = result.get(endpoint.namespace);
    if (!keys || !list) return;
    const key = `${formatLabels(endpoint.labels)} ${JSON.stringify(endpoint.ports ?? [])}`;
    if (keys.has(key)) return;
    keys.add(key);
    list.push(endpoint);
  };
  for (const name of namespaces) {
    result.set(name, []);
    seen.set(name, new Set());
  }
  for (const site of sites) add(endpointOf(site));
  for (const policy of policies) {
    if (policy.origin !== 'network-policy') continue;
    const labels = witnessLabels(policy.podSelector);
    // a selector of every pod is covered by the unlabelled pod below
    if (labels && Object.keys(labels).length > 0) add({ namespace: policy.namespace, labels, origin: `pods selected by ${policy.label}` });
  }
  for (const name of namespaces) add({ namespace: name, labels: {}, origin: 'any other pod' });
  // input order must not change which example a message gives
  for (const list of result.values()) list.sort((a, b) => compare(a.origin ?? '', b.origin ?? '') || compare(formatLabels(a.labels), formatLabels(b.labels)));
  return result;
}
