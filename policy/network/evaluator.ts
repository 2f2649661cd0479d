/**
 * A NetworkPolicy evaluator with Kubernetes semantics, answering "may a pod with labels L in
 * namespace A open a connection to a pod with labels M in namespace B on port P?":
 * - a pod is isolated for a direction when any policy selecting it has that policy type;
 * - an isolated pod admits a connection when any rule of any selecting policy admits it
 *   (policies are additive, never subtractive);
 * - a connection needs both the source's egress and the destination's ingress to admit it.
 *
 * `ipBlock` peers are meant for addresses outside the cluster, but CNIs apply them to pod
 * addresses too; an ipBlock that covers part of the pod network (minus its `except`) is
 * therefore treated as matching every pod. That errs towards "reachable", the safe side for
 * an isolation check.
 */
import type { KubeObject } from '../../charts-synth/kube-object.ts';
import { intervalContainsAddress, intervalsOverlap, parseIpAddress, parseIpRange, subtractIntervals, type IpInterval, type IpRange } from './ip-range.ts';
import { formatLabels, matchesSelector, type Labels } from './label-selector.ts';
import { ALL_NAMESPACES, NamespaceIndex, type NamespaceSet } from './namespace-index.ts';
import { networkPoliciesOf, type IpBlockPeer, type NormalizedPolicy, type NormalizedRule, type Peer, type PortRule } from './policy-model.ts';
import { PortSet, type Protocol } from './port-set.ts';

export interface NamedPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: Protocol;
}

/** A pod, as far as NetworkPolicy can tell pods apart. */
export interface PodEndpoint {
  readonly namespace: string;
  readonly labels: Labels;
  /** the pod's container ports: named ports in policies resolve against them */
  readonly ports?: readonly NamedPort[];
  /** for messages, e.g. "SandboxTemplate team-a/codex" */
  readonly origin?: string;
}

export interface Connection {
  readonly port: number;
  /** default TCP */
  readonly protocol?: Protocol;
}

export interface EvaluatorOptions {
  /** Address ranges pods get their IPs from. Default: every private range (RFC 1918, RFC 6598, IPv6 ULA). */
  readonly podCidrs?: readonly string[];
}

export const DEFAULT_POD_CIDRS: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

export type Direction = 'ingress' | 'egress';

export interface DirectionVerdict {
  /** false: no policy selects the pod for this direction, so everything is admitted */
  readonly isolated: boolean;
  /** the policies (labels) with a rule admitting the connection */
  readonly allowedBy: readonly string[];
}

export interface ConnectionVerdict {
  readonly allowed: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
}

export function describeEndpoint(pod: PodEndpoint): string {
  return `${pod.origin ? `${pod.origin} ` : ''}pods ${formatLabels(pod.labels)} in ${pod.namespace}`;
}

export class NetworkPolicyEvaluator {
  private readonly byNamespace = new Map<string, NormalizedPolicy[]>();
  private readonly selectingCache = new Map<string, readonly NormalizedPolicy[]>();
  private readonly selectingByEndpoint = new WeakMap<PodEndpoint, readonly NormalizedPolicy[]>();
  private readonly rulePortsCache = new WeakMap<NormalizedRule, PortSet>();
  private readonly peerReachesPods = new WeakMap<IpBlockPeer, boolean>();
  private readonly podNetwork: readonly IpRange[];

  constructor(
    readonly policies: readonly NormalizedPolicy[],
    readonly namespaces: NamespaceIndex,
    private readonly options: EvaluatorOptions = {},
  ) {
    for (const policy of policies) {
      const list = this.byNamespace.get(policy.namespace);
      if (list) list.push(policy);
      else this.byNamespace.set(policy.namespace, [policy]);
    }
    this.podNetwork = (options.podCidrs ?? DEFAULT_POD_CIDRS).map((text) => {
      const range = parseIpRange(text);
      if (!range) throw new Error(`pod CIDR ${JSON.stringify(text)} is not an IP range (e.g. "10.244.0.0/16")`);
      return range;
    });
  }

  /** From rendered objects: NetworkPolicies, SandboxTemplates (their controller policies) and Namespaces. */
  static fromObjects(objects: readonly KubeObject[], options: EvaluatorOptions = {}): NetworkPolicyEvaluator {
    return new NetworkPolicyEvaluator(networkPoliciesOf(objects), NamespaceIndex.fromObjects(objects), options);
  }

  /** The same policies over a namespace index that also knows `names` (for namespace-set answers). */
  withNamespaces(names: Iterable<string>): NetworkPolicyEvaluator {
    const index = this.namespaces.including(names);
    return index === this.namespaces ? this : new NetworkPolicyEvaluator(this.policies, index, this.options);
  }

  /** The policies in the pod's namespace whose podSelector matches it. */
  policiesSelecting(pod: PodEndpoint): readonly NormalizedPolicy[] {
    const known = this.selectingByEndpoint.get(pod);
    if (known) return known;
    const key = `${pod.namespace}\u0000${formatLabels(pod.labels)}`;
    let selecting = this.selectingCache.get(key);
    if (!selecting) {
      selecting = (this.byNamespace.get(pod.namespace) ?? []).filter((p) => matchesSelector(p.podSelector, pod.labels));
      this.selectingCache.set(key, selecting);
    }
    this.selectingByEndpoint.set(pod, selecting);
    return selecting;
  }

  /**
   * The rules that govern a pod's connections in one direction, with their policies; undefined
   * when no policy isolates the pod for that direction (everything is admitted).
   */
  rulesFor(pod: PodEndpoint, direction: Direction): readonly { readonly policy: NormalizedPolicy; readonly rule: NormalizedRule }[] | undefined {
    const selecting = this.policiesSelecting(pod).filter((p) => p[direction] !== undefined);
    if (selecting.length === 0) return undefined;
    return selecting.flatMap((policy) => policy[direction]!.map((rule) => ({ policy, rule })));
  }

  /**
   * Whether `from` may connect to `to` on some port: allowedPorts(from, to) is not empty,
   * answered without building port sets when it can be.
   */
  canConnectSomehow(from: PodEndpoint, to: PodEndpoint): boolean {
    const egress = this.matchingPortSets(from, 'egress', to, to);
    if (egress === undefined) return !this.ingressPorts(to, from).isEmpty();
    if (egress.length === 0) return false;
    const ingress = this.matchingPortSets(to, 'ingress', from, to);
    if (ingress === undefined) return egress.some((ports) => !ports.isEmpty());
    return egress.some((e) => ingress.some((i) => e.intersects(i)));
  }

  isIsolated(pod: PodEndpoint, direction: Direction): boolean {
    return this.policiesSelecting(pod).some((p) => p[direction] !== undefined);
  }

  /** Ports on which `from`'s egress admits connections to `to` (ingress not considered). */
  egressPorts(from: PodEndpoint, to: PodEndpoint): PortSet {
    return this.directionPorts(from, 'egress', (peers, policy) => this.peersMatchPod(peers, policy.namespace, to), to);
  }

  /** Ports on which `to`'s ingress admits connections from `from` (egress not considered). */
  ingressPorts(to: PodEndpoint, from: PodEndpoint): PortSet {
    return this.directionPorts(to, 'ingress', (peers, policy) => this.peersMatchPod(peers, policy.namespace, from), to);
  }

  /** Ports on which `from` may open connections to `to`: both directions must admit. */
  allowedPorts(from: PodEndpoint, to: PodEndpoint): PortSet {
    const egress = this.egressPorts(from, to);
    if (egress.isEmpty()) return egress;
    return egress.intersect(this.ingressPorts(to, from));
  }

  canConnect(from: PodEndpoint, to: PodEndpoint, connection: Connection): boolean {
    return this.allowedPorts(from, to).has(connection.protocol ?? 'TCP', connection.port);
  }

  /** Why a connection is or is not admitted: which policies admit it on each side. */
  explain(from: PodEndpoint, to: PodEndpoint, connection: Connection): ConnectionVerdict {
    const protocol = connection.protocol ?? 'TCP';
    const side = (pod: PodEndpoint, direction: Direction, peer: PodEndpoint): DirectionVerdict => {
      const isolated = this.isIsolated(pod, direction);
      const allowedBy = this.policiesSelecting(pod)
        .filter((policy) => (policy[direction] ?? []).some((rule) => this.peersMatchPod(rule.peers, policy.namespace, peer) && this.rulePorts(rule, to).has(protocol, connection.port)))
        .map((policy) => policy.label);
      return { isolated, allowedBy };
    };
    const egress = side(from, 'egress', to);
    const ingress = side(to, 'ingress', from);
    const admits = (v: DirectionVerdict) => !v.isolated || v.allowedBy.length > 0;
    return { allowed: admits(egress) && admits(ingress), egress, ingress };
  }

  /**
   * May `from` open a connection to an address outside the pod network (the metadata endpoint,
   * the API server, a database)? Without `connection`: on any port at all.
   */
  canReachAddress(from: PodEndpoint, address: string, connection?: Connection): boolean {
    const parsed = parseIpAddress(address);
    if (!parsed) throw new Error(`${JSON.stringify(address)} is not an IP address`);
    const ports = this.directionPorts(from, 'egress', (peers) => peers === 'any' || peers.some((peer) => peer.kind === 'ipBlock' && ipBlockContains(peer, parsed)), undefined);
    return connection ? ports.has(connection.protocol ?? 'TCP', connection.port) : !ports.isEmpty();
  }

  /**
   * The namespaces `from`'s egress could admit some pod of (ALL_NAMESPACES when unbounded).
   * A cheap over-approximation that lets pairwise checks skip pairs that cannot connect.
   */
  egressNamespaces(from: PodEndpoint): NamespaceSet {
    return this.peerNamespaces(from, 'egress');
  }

  /** The namespaces whose pods `to`'s ingress could admit (ALL_NAMESPACES when unbounded). */
  ingressNamespaces(to: PodEndpoint): NamespaceSet {
    return this.peerNamespaces(to, 'ingress');
  }

  /** True when an ipBlock peer covers some pod address (after its `except` list). */
  ipBlockReachesPods(peer: IpBlockPeer): boolean {
    let reaches = this.peerReachesPods.get(peer);
    if (reaches === undefined) {
      const remaining = remainingAddresses(peer);
      reaches = remaining.some((piece) => this.podNetwork.some((pods) => intervalsOverlap(piece, pods)));
      this.peerReachesPods.set(peer, reaches);
    }
    return reaches;
  }

  private peerNamespaces(pod: PodEndpoint, direction: Direction): NamespaceSet {
    const sets = this.peerNamespaceSets(pod, direction);
    if (sets === ALL_NAMESPACES) return ALL_NAMESPACES;
    if (sets.length === 1) return sets[0]!;
    return new Set(sets.flatMap((set) => [...set]).sort());
  }

  /**
   * The namespace sets a pod's rules for one direction could admit pods of, without merging
   * them (the sets are shared with the selector index, so this allocates almost nothing).
   */
  peerNamespaceSets(pod: PodEndpoint, direction: Direction): typeof ALL_NAMESPACES | readonly ReadonlySet<string>[] {
    const selecting = this.policiesSelecting(pod).filter((p) => p[direction] !== undefined);
    if (selecting.length === 0) return ALL_NAMESPACES;
    const sets = new Set<ReadonlySet<string>>();
    for (const policy of selecting) {
      for (const rule of policy[direction]!) {
        if (rule.peers === 'any') return ALL_NAMESPACES;
        for (const peer of rule.peers) {
          if (peer.kind === 'ipBlock') {
            if (this.ipBlockReachesPods(peer)) return ALL_NAMESPACES;
          } else if (!peer.namespaceSelector) {
            sets.add(this.singleton(policy.namespace));
          } else {
            const selected = this.namespaces.select(peer.namespaceSelector);
            if (selected === ALL_NAMESPACES) return ALL_NAMESPACES;
            sets.add(selected);
          }
        }
      }
    }
    return [...sets];
  }

  private readonly singletons = new Map<string, ReadonlySet<string>>();

  private singleton(name: string): ReadonlySet<string> {
    let set = this.singletons.get(name);
    if (!set) this.singletons.set(name, (set = new Set([name])));
    return set;
  }

  /** Port sets of the rules admitting `peer`; undefined when the pod is not isolated. */
  private matchingPortSets(pod: PodEndpoint, direction: Direction, peer: PodEndpoint, destination: PodEndpoint): PortSet[] | undefined {
    let isolated = false;
    const sets: PortSet[] = [];
    for (const policy of this.policiesSelecting(pod)) {
      const rules = policy[direction];
      if (!rules) continue;
      isolated = true;
      for (const rule of rules) if (this.peersMatchPod(rule.peers, policy.namespace, peer)) sets.push(this.rulePorts(rule, destination));
    }
    return isolated ? sets : undefined;
  }

  private directionPorts(
    pod: PodEndpoint,
    direction: Direction,
    peersMatch: (peers: NormalizedRule['peers'], policy: NormalizedPolicy) => boolean,
    destination: PodEndpoint | undefined,
  ): PortSet {
    const selecting = this.policiesSelecting(pod).filter((p) => p[direction] !== undefined);
    if (selecting.length === 0) return PortSet.ALL;
    let ports = PortSet.EMPTY;
    for (const policy of selecting) {
      for (const rule of policy[direction]!) {
        if (peersMatch(rule.peers, policy)) ports = ports.union(this.rulePorts(rule, destination));
      }
    }
    return ports;
  }

  private peersMatchPod(peers: NormalizedRule['peers'], policyNamespace: string, pod: PodEndpoint): boolean {
    return peers === 'any' || peers.some((peer) => this.peerMatchesPod(peer, policyNamespace, pod));
  }

  private peerMatchesPod(peer: Peer, policyNamespace: string, pod: PodEndpoint): boolean {
    if (peer.kind === 'ipBlock') return this.ipBlockReachesPods(peer);
    const inNamespace = peer.namespaceSelector ? this.namespaces.matches(peer.namespaceSelector, pod.namespace) : pod.namespace === policyNamespace;
    return inNamespace && (!peer.podSelector || matchesSelector(peer.podSelector, pod.labels));
  }

  /** A rule's ports; named ports resolve against the destination pod's container ports. */
  rulePorts(rule: NormalizedRule, destination: PodEndpoint | undefined): PortSet {
    if (rule.ports === 'any') return PortSet.ALL;
    // named ports depend on the destination; numeric ones do not and are computed once
    const named = rule.ports.some((p) => typeof p.port === 'string' && !/^\d+$/.test(p.port));
    const cached = named ? undefined : this.rulePortsCache.get(rule);
    if (cached) return cached;
    let ports = PortSet.EMPTY;
    for (const port of rule.ports) ports = ports.union(portRuleSet(port, destination));
    if (!named) this.rulePortsCache.set(rule, ports);
    return ports;
  }
}

function portRuleSet(rule: PortRule, destination: PodEndpoint | undefined): PortSet {
  if (rule.port === undefined) return PortSet.allOf(rule.protocol);
  if (typeof rule.port === 'number') return PortSet.range(rule.protocol, rule.port, rule.endPort ?? rule.port);
  if (/^\d+$/.test(rule.port)) return PortSet.range(rule.protocol, Number(rule.port), rule.endPort ?? Number(rule.port));
  let ports = PortSet.EMPTY;
  for (const named of destination?.ports ?? []) {
    if (named.name === rule.port && (named.protocol ?? 'TCP') === rule.protocol) ports = ports.union(PortSet.range(rule.protocol, named.containerPort));
  }
  return ports;
}

const remainingCache = new WeakMap<IpBlockPeer, readonly IpInterval[]>();

/** The addresses an ipBlock admits: its CIDR minus its `except` ranges. */
export function remainingAddresses(peer: IpBlockPeer): readonly IpInterval[] {
  let remaining = remainingCache.get(peer);
  if (!remaining) remainingCache.set(peer, (remaining = subtractIntervals(peer.cidr, peer.except)));
  return remaining;
}

function ipBlockContains(peer: IpBlockPeer, address: { family: 4 | 6; value: bigint }): boolean {
  return intervalContainsAddress(peer.cidr, address) && !peer.except.some((e) => intervalContainsAddress(e, address));
}
