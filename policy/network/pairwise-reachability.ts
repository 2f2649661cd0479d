/**
 * Which namespaces' pods can open connections to which other namespaces' pods: the question
 * behind "one team can never reach another". Checking every ordered pair of 1000 team
 * namespaces pod by pod would be a million evaluations; instead each namespace's egress
 * targets and ingress sources are resolved once (as namespace sets, through the selector
 * index), and only pairs that both sides could admit are evaluated pod by pod. With isolated
 * teams that is no pair at all, so the cost grows with the number of namespaces, not its square.
 */
import { namespaceSetHas, ALL_NAMESPACES, type NamespaceSet } from './namespace-index.ts';
import type { NetworkPolicyEvaluator, PodEndpoint } from './evaluator.ts';
import type { PortSet } from './port-set.ts';

export interface CrossNamespaceConnection {
  readonly from: PodEndpoint;
  readonly to: PodEndpoint;
  /** every port on which `from` may connect to `to` */
  readonly ports: PortSet;
}

function unionOf(sets: Iterable<NamespaceSet>): NamespaceSet {
  const names = new Set<string>();
  for (const set of sets) {
    if (set === ALL_NAMESPACES) return ALL_NAMESPACES;
    for (const name of set) names.add(name);
  }
  return names;
}

/**
 * For every ordered pair (A, B) of distinct namespaces in `endpoints` where some pod of A may
 * connect to some pod of B, one example connection. Sorted by source, then destination.
 * `endpoints` lists, per namespace, the pods that may run there.
 */
export function findCrossNamespaceConnections(given: NetworkPolicyEvaluator, endpoints: ReadonlyMap<string, readonly PodEndpoint[]>): CrossNamespaceConnection[] {
  const names = [...endpoints.keys()].sort();
  // namespace sets only hold namespaces the index knows: make sure it knows every one asked about
  const evaluator = given.withNamespaces(names);
  const members = new Set(names);
  const egressTargets = new Map<string, NamespaceSet>();
  const ingressSources = new Map<string, NamespaceSet>();
  for (const name of names) {
    const pods = endpoints.get(name)!;
    egressTargets.set(name, unionOf(pods.map((p) => evaluator.egressNamespaces(p))));
    ingressSources.set(name, unionOf(pods.map((p) => evaluator.ingressNamespaces(p))));
  }

  // Sources with unbounded egress are matched against the destinations that admit them instead.
  let admittedBy: Map<string, string[]> | undefined;
  const openIngress = names.filter((name) => ingressSources.get(name) === ALL_NAMESPACES);
  const destinationsAdmitting = (source: string): string[] => {
    if (!admittedBy) {
      admittedBy = new Map();
      for (const destination of names) {
        const sources = ingressSources.get(destination)!;
        if (sources === ALL_NAMESPACES) continue;
        for (const s of sources) {
          if (!members.has(s)) continue;
          const list = admittedBy.get(s);
          if (list) list.push(destination);
          else admittedBy.set(s, [destination]);
        }
      }
    }
    return [...new Set([...(admittedBy.get(source) ?? []), ...openIngress])].sort();
  };

  const connections: CrossNamespaceConnection[] = [];
  for (const source of names) {
    const targets = egressTargets.get(source)!;
    const candidates = targets === ALL_NAMESPACES ? destinationsAdmitting(source) : [...targets].filter((n) => members.has(n)).sort();
    for (const destination of candidates) {
      if (destination === source || !namespaceSetHas(ingressSources.get(destination)!, source)) continue;
      const witness = firstConnection(evaluator, endpoints.get(source)!, endpoints.get(destination)!);
      if (witness) connections.push(witness);
    }
  }
  return connections;
}

function firstConnection(evaluator: NetworkPolicyEvaluator, sources: readonly PodEndpoint[], destinations: readonly PodEndpoint[]): CrossNamespaceConnection | undefined {
  for (const from of sources) {
    for (const to of destinations) {
      const ports = evaluator.allowedPorts(from, to);
      if (!ports.isEmpty()) return { from, to, ports };
    }
  }
  return undefined;
}
