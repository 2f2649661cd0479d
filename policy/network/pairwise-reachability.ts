/**
 * Which namespaces' pods can open connections to which other namespaces' pods: the question
 * behind "one team can never reach another". Checking every ordered pair of 1000 team
 * namespaces pod by pod would be a million evaluations. Two things keep it linear in practice:
 *
 * 1. Each namespace's egress targets and ingress sources are resolved once, as namespace sets
 *    (through the selector index), and only pairs both sides could admit are looked at. With
 *    isolated teams that is no pair at all.
 * 2. The pairs that remain are decided per *shape*: namespaces whose pods, rules and matching
 *    selectors are identical up to their own name connect alike, so teams rendered from one
 *    chart are evaluated once per pair of shapes, not once per pair of teams.
 */
import { selectorKey, matchesSelector, type LabelSelector } from './label-selector.ts';
import { ALL_NAMESPACES } from './namespace-index.ts';
import type { NetworkPolicyEvaluator, PodEndpoint } from './evaluator.ts';
import type { NormalizedRule } from './policy-model.ts';
import type { PortSet } from './port-set.ts';

export interface CrossNamespaceConnection {
  readonly from: PodEndpoint;
  readonly to: PodEndpoint;
  /** every port on which `from` may connect to `to` */
  readonly ports: PortSet;
}

export interface NamespaceReachability {
  readonly namespace: string;
  /** the other namespaces (sorted) some pod of `namespace` may open a connection to */
  readonly reachable: readonly string[];
  /** one such connection, to the first namespace of `reachable` */
  readonly example: CrossNamespaceConnection;
}

/** Several namespace sets, kept apart: merging 1000-name sets per namespace is what costs. */
type NamespaceSets = typeof ALL_NAMESPACES | readonly ReadonlySet<string>[];

function unionOf(lists: Iterable<NamespaceSets>): NamespaceSets {
  const sets = new Set<ReadonlySet<string>>();
  for (const list of lists) {
    if (list === ALL_NAMESPACES) return ALL_NAMESPACES;
    for (const set of list) sets.add(set);
  }
  return [...sets];
}

function setsHave(sets: NamespaceSets, name: string): boolean {
  if (sets === ALL_NAMESPACES) return true;
  for (const set of sets) if (set.has(name)) return true;
  return false;
}

/**
 * The names of all sets that are in `members`, sorted, each once. The sets come sorted (the
 * selector index builds them in name order), so this merges rather than sorts.
 */
function namesIn(sets: readonly ReadonlySet<string>[], members: ReadonlySet<string>): string[] {
  const lists: string[][] = [];
  for (const set of sets) {
    const list: string[] = [];
    for (const name of set) if (members.has(name)) list.push(name);
    if (list.length > 0) lists.push(list);
  }
  if (lists.length <= 1) return lists[0] ?? [];
  const positions = lists.map(() => 0);
  const merged: string[] = [];
  for (;;) {
    let smallest: string | undefined;
    for (let i = 0; i < lists.length; i++) {
      const name = lists[i]![positions[i]!];
      if (name !== undefined && (smallest === undefined || name < smallest)) smallest = name;
    }
    if (smallest === undefined) return merged;
    merged.push(smallest);
    for (let i = 0; i < lists.length; i++) if (lists[i]![positions[i]!] === smallest) positions[i]!++;
  }
}

/**
 * For every namespace of `endpoints` whose pods may connect to pods of another namespace of
 * `endpoints`: those namespaces and one example. Sorted by namespace. `endpoints` lists, per
 * namespace, the pods that may run there.
 */
export function findCrossNamespaceReachability(given: NetworkPolicyEvaluator, endpoints: ReadonlyMap<string, readonly PodEndpoint[]>): NamespaceReachability[] {
  const names = [...endpoints.keys()].sort();
  // namespace sets only hold namespaces the index knows: make sure it knows every one asked about
  const evaluator = given.withNamespaces(names);
  const members = new Set(names);
  const egressTargets = new Map<string, NamespaceSets>();
  const ingressSources = new Map<string, NamespaceSets>();
  for (const name of names) {
    const pods = endpoints.get(name)!;
    egressTargets.set(name, unionOf(pods.map((p) => evaluator.peerNamespaceSets(p, 'egress'))));
    ingressSources.set(name, unionOf(pods.map((p) => evaluator.peerNamespaceSets(p, 'ingress'))));
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
        for (const s of namesIn(sources, members)) {
          const list = admittedBy.get(s);
          if (list) list.push(destination);
          else admittedBy.set(s, [destination]);
        }
      }
    }
    const admitting = admittedBy.get(source) ?? [];
    return admitting.length === 0 ? openIngress : [...new Set([...admitting, ...openIngress])].sort();
  };

  let shapes: Map<string, number> | undefined;
  const verdicts = new Map<number, Map<number, boolean>>();
  const result: NamespaceReachability[] = [];
  for (const source of names) {
    const targets = egressTargets.get(source)!;
    const candidates = targets === ALL_NAMESPACES ? destinationsAdmitting(source) : namesIn(targets, members);
    const reachable: string[] = [];
    let row: Map<number, boolean> | undefined;
    for (const destination of candidates) {
      if (destination === source || !setsHave(ingressSources.get(destination)!, source)) continue;
      // decided once per pair of shapes (see shapesOf)
      shapes ??= shapesOf(evaluator, endpoints, names);
      if (!row) {
        const a = shapes.get(source)!;
        row = verdicts.get(a);
        if (!row) verdicts.set(a, (row = new Map()));
      }
      const b = shapes.get(destination)!;
      let verdict = row.get(b);
      if (verdict === undefined) {
        verdict = connectsSomehow(evaluator, endpoints.get(source)!, endpoints.get(destination)!);
        row.set(b, verdict);
      }
      if (verdict) reachable.push(destination);
    }
    if (reachable.length === 0) continue;
    const example = firstConnection(evaluator, endpoints.get(source)!, endpoints.get(reachable[0]!)!);
    if (!example) throw new Error(`internal error: ${source} and ${reachable[0]} share a shape but not a connection`);
    result.push({ namespace: source, reachable, example });
  }
  return result;
}

function connectsSomehow(evaluator: NetworkPolicyEvaluator, sources: readonly PodEndpoint[], destinations: readonly PodEndpoint[]): boolean {
  for (const from of sources) for (const to of destinations) if (evaluator.canConnectSomehow(from, to)) return true;
  return false;
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

/**
 * A number per namespace such that two distinct namespaces with equal numbers connect to (and
 * from) every third namespace alike. What a connection between distinct namespaces A and B
 * depends on, written without A's or B's name:
 * - per pod: the rules governing it in each direction; a peer that can only match its own
 *   namespace (a podSelector alone, or a namespaceSelector selecting just it) is "own", which
 *   never matches another namespace; other namespaceSelectors and peer podSelectors by id;
 *   an ipBlock by whether it reaches pods; ports as written (named ones resolve per pod);
 * - per pod: which peer podSelectors (of any namespace's rules) match its labels, and its ports;
 * - per namespace: which peer namespaceSelectors match its labels.
 */
function shapesOf(evaluator: NetworkPolicyEvaluator, endpoints: ReadonlyMap<string, readonly PodEndpoint[]>, names: readonly string[]): Map<string, number> {
  const namespaceSelectors = new Registry();
  const podSelectors = new Registry();
  const ruleText = (rule: NormalizedRule, policyNamespace: string): string => {
    const peers =
      rule.peers === 'any'
        ? 'any'
        : rule.peers
            .map((peer) => {
              if (peer.kind === 'ipBlock') return evaluator.ipBlockReachesPods(peer) ? 'ip+' : 'ip-';
              if (!peer.namespaceSelector) return 'own';
              const selected = evaluator.namespaces.select(peer.namespaceSelector);
              if (selected !== ALL_NAMESPACES && selected.size === 1 && selected.has(policyNamespace)) return 'own';
              const ns = namespaceSelectors.id(peer.namespaceSelector);
              return `n${ns}/${peer.podSelector ? `p${podSelectors.id(peer.podSelector)}` : '*'}`;
            })
            .join(',');
    return `${peers}:${rule.ports === 'any' ? 'any' : JSON.stringify(rule.ports)}`;
  };
  const direction = (pod: PodEndpoint, which: 'ingress' | 'egress'): string => {
    const rules = evaluator.rulesFor(pod, which);
    return rules === undefined ? 'open' : rules.map(({ policy, rule }) => ruleText(rule, policy.namespace)).sort().join(';');
  };
  const podRules = new Map<string, string[]>();
  for (const name of names) podRules.set(name, endpoints.get(name)!.map((pod) => `${direction(pod, 'egress')}|${direction(pod, 'ingress')}|${JSON.stringify(pod.ports ?? [])}`));

  // which registered selectors match each namespace and pod
  const namespaceBits = new Map<string, number[]>();
  namespaceSelectors.all().forEach((selector, id) => {
    const selected = evaluator.namespaces.select(selector);
    for (const name of selected === ALL_NAMESPACES ? names : selected) {
      const bits = namespaceBits.get(name);
      if (bits) bits.push(id);
      else namespaceBits.set(name, [id]);
    }
  });
  const selectors = podSelectors.all();
  const ids = new Map<string, number>();
  const shapes = new Map<string, number>();
  for (const name of names) {
    const pods = endpoints.get(name)!.map((pod, i) => {
      const bits = selectors.flatMap((selector, id) => (matchesSelector(selector, pod.labels) ? [id] : []));
      return `${bits.join(',')}|${podRules.get(name)![i]}`;
    });
    const key = `${(namespaceBits.get(name) ?? []).join(',')}#${pods.sort().join('\n')}`;
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    shapes.set(name, id);
  }
  return shapes;
}

class Registry {
  private readonly ids = new Map<string, number>();
  private readonly selectors: LabelSelector[] = [];

  id(selector: LabelSelector): number {
    const key = selectorKey(selector);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.selectors.length;
      this.ids.set(key, id);
      this.selectors.push(selector);
    }
    return id;
  }

  all(): readonly LabelSelector[] {
    return this.selectors;
  }
}
