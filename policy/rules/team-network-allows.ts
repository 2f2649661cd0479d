/**
 * What a sandbox's network must allow, and what it must not, judged per sandbox pod with
 * Kubernetes NetworkPolicy semantics (the evaluator): cluster DNS, the model gateway (when the
 * policy options name it; synth always does) and the runtime on the harness port are admitted;
 * no other pod and no address may open a connection to a sandbox, the runtime reaches no other
 * port of it, and sandbox egress to pods goes to DNS and the model gateway only. Egress to
 * addresses outside the cluster (the team's allow-list) is sandbox-egress-restricted's concern.
 */
import { PADDOCK_SYSTEM_NAMESPACE, RUNTIME_NAME } from '../../config/names.ts';
import type { KubeObject } from '../../charts-synth/kube-object.ts';
import type { PolicyContext } from '../context.ts';
import { isKind, KINDS } from '../kinds.ts';
import { endpointOf } from '../network/endpoints.ts';
import { describeEndpoint, type NetworkPolicyEvaluator, type PodEndpoint } from '../network/evaluator.ts';
import { formatAddress, parseIpRange } from '../network/ip-range.ts';
import { matchesSelector } from '../network/label-selector.ts';
import { ALL_NAMESPACES } from '../network/namespace-index.ts';
import type { NormalizedRule, PodsPeer } from '../network/policy-model.ts';
import type { Finding, ModelGatewayOption, PolicyRule } from '../types.ts';
import type { PodSite } from '../workload/pod-sites.ts';
import { DNS_NAMESPACE, isDnsOnly } from './sandbox-egress-restricted.ts';

export const KUBE_DNS_LABELS = { 'k8s-app': 'kube-dns' } as const;
const RUNTIME_LABELS = { 'app.kubernetes.io/name': RUNTIME_NAME } as const;
/** The container port the harness listens on (charts-synth/builders/sandbox-pod-template.ts). */
export const HARNESS_PORT_NAME = 'harness';

/** The harness port of a sandbox pod: its port named "harness", else its only port. */
function harnessPort(endpoint: PodEndpoint): number | undefined {
  const ports = endpoint.ports ?? [];
  return ports.find((p) => p.name === HARNESS_PORT_NAME)?.containerPort ?? (ports.length === 1 ? ports[0]!.containerPort : undefined);
}

/** The runtime's pods as rendered, or as the charts label them when the stack holds no runtime. */
function runtimeEndpoint(context: PolicyContext): PodEndpoint {
  const site = context.podSites().find((s) => s.namespace === PADDOCK_SYSTEM_NAMESPACE && s.object.metadata.name === RUNTIME_NAME && isKind(s.object, KINDS.Deployment));
  return site ? endpointOf(site) : { namespace: PADDOCK_SYSTEM_NAMESPACE, labels: RUNTIME_LABELS, origin: `Deployment ${PADDOCK_SYSTEM_NAMESPACE}/${RUNTIME_NAME}` };
}

/**
 * Pods that must never open a connection to a sandbox, in the namespaces its ingress could admit
 * at all (so a stack of N teams costs N times one team): every rendered pod there but the runtime
 * (sandboxes too), and an unlabelled pod.
 */
function* strangers(byNamespace: ReadonlyMap<string, readonly PodEndpoint[]>, namespaces: Iterable<string>): Generator<PodEndpoint> {
  for (const namespace of namespaces) {
    // sandboxes included: not even a sandbox of the same template may connect to another
    yield* byNamespace.get(namespace) ?? [];
    yield { namespace, labels: {}, origin: 'any pod' };
  }
}

/** Every rendered pod as an endpoint, once; and by namespace, without the runtime's. */
function renderedPods(context: PolicyContext): { readonly bySite: Map<PodSite, PodEndpoint>; readonly byNamespace: Map<string, PodEndpoint[]> } {
  const bySite = new Map<PodSite, PodEndpoint>();
  const byNamespace = new Map<string, PodEndpoint[]>();
  for (const site of context.podSites()) {
    const endpoint = endpointOf(site);
    bySite.set(site, endpoint);
    if (site.namespace === PADDOCK_SYSTEM_NAMESPACE && site.object.metadata.name === RUNTIME_NAME) continue;
    const list = byNamespace.get(site.namespace);
    if (list) list.push(endpoint);
    else byNamespace.set(site.namespace, [endpoint]);
  }
  return { bySite, byNamespace };
}

interface Gateway {
  readonly option: ModelGatewayOption;
  readonly pod?: PodEndpoint;
  readonly address?: string;
}

function gatewayOf(option: ModelGatewayOption | undefined): Gateway | undefined {
  if (!option) return undefined;
  if (option.inCluster) return { option, pod: { namespace: option.inCluster.namespace, labels: option.inCluster.podSelector, origin: 'the model gateway' } };
  const first = option.cidrs?.[0];
  if (first === undefined) throw new Error('policy option modelGateway: needs cidrs or inCluster');
  const range = parseIpRange(first);
  if (!range) throw new Error(`policy option modelGateway.cidrs: ${JSON.stringify(first)} is not an IP range (e.g. "203.0.113.0/24")`);
  // an address inside the range, not its network address
  return { option, address: formatAddress(range.family, range.end - range.start > 1n ? range.start + 1n : range.start) };
}

/** Per peer (shared by every sandbox its policy selects): DNS or the model gateway. */
const expectedPeerCache = new WeakMap<NetworkPolicyEvaluator, WeakMap<PodsPeer, boolean>>();

function isExpectedPeer(peer: PodsPeer, rule: NormalizedRule, gateway: Gateway | undefined, evaluator: NetworkPolicyEvaluator): boolean {
  let cache = expectedPeerCache.get(evaluator);
  if (!cache) expectedPeerCache.set(evaluator, (cache = new WeakMap()));
  let expected = cache.get(peer);
  if (expected === undefined) cache.set(peer, (expected = isDnsPeer(peer, rule, evaluator) || isGatewayPeer(peer, rule, gateway, evaluator)));
  return expected;
}

function isGatewayPeer(peer: PodsPeer, rule: NormalizedRule, gateway: Gateway | undefined, evaluator: NetworkPolicyEvaluator): boolean {
  const inCluster = gateway?.option.inCluster;
  if (!inCluster || !peer.namespaceSelector || !peer.podSelector) return false;
  const selected = evaluator.namespaces.select(peer.namespaceSelector);
  if (selected === ALL_NAMESPACES || selected.size !== 1 || !selected.has(inCluster.namespace)) return false;
  if (!matchesSelector(peer.podSelector, inCluster.podSelector) || matchesSelector(peer.podSelector, {})) return false;
  return rule.ports !== 'any' && rule.ports.length > 0 && rule.ports.every((p) => p.protocol === 'TCP' && Number(p.port) === gateway.option.port && (p.endPort === undefined || p.endPort === gateway.option.port));
}

function isDnsPeer(peer: PodsPeer, rule: NormalizedRule, evaluator: NetworkPolicyEvaluator): boolean {
  if (!isDnsOnly(rule) || !peer.namespaceSelector) return false;
  const selected = evaluator.namespaces.select(peer.namespaceSelector);
  return selected !== ALL_NAMESPACES && selected.size === 1 && selected.has(DNS_NAMESPACE);
}

interface Surroundings {
  readonly evaluator: NetworkPolicyEvaluator;
  readonly runtime: PodEndpoint;
  readonly pods: ReadonlyMap<string, readonly PodEndpoint[]>;
  readonly gateway: Gateway | undefined;
}

function* sandboxFindings({ evaluator, runtime, pods, gateway }: Surroundings, object: KubeObject, sandbox: PodEndpoint): Generator<Finding> {
  // described only when there is something to report
  const what = { toString: () => describeEndpoint(sandbox) };
  const port = harnessPort(sandbox);
  if (port === undefined) {
    yield { object, message: `${what} declare no container port named "${HARNESS_PORT_NAME}", so nothing says which port the runtime may reach; name the harness port "${HARNESS_PORT_NAME}"` };
    return;
  }

  // required: DNS, the model gateway, the runtime on the harness port (and only there)
  const dns = { namespace: DNS_NAMESPACE, labels: KUBE_DNS_LABELS, origin: 'cluster DNS' };
  const dnsPorts = evaluator.egressPorts(sandbox, dns);
  const missingDns = (['UDP', 'TCP'] as const).filter((protocol) => !dnsPorts.has(protocol, 53));
  if (missingDns.length > 0) {
    yield { object, message: `${what} cannot reach cluster DNS (kube-dns in ${DNS_NAMESPACE}) on ${missingDns.map((p) => `${p}/53`).join(' and ')}; add an egress rule to it on port 53 over UDP and TCP` };
  }
  if (gateway?.pod && !evaluator.egressPorts(sandbox, gateway.pod).has('TCP', gateway.option.port)) {
    yield { object, message: `${what} cannot reach the model gateway (${describeEndpoint(gateway.pod)}) on TCP/${gateway.option.port}; add an egress rule to it on that port` };
  }
  if (gateway?.address && !evaluator.canReachAddress(sandbox, gateway.address, { port: gateway.option.port })) {
    yield { object, message: `${what} cannot reach the model gateway (${gateway.option.cidrs!.join(', ')}) on TCP/${gateway.option.port}; add an egress rule to its CIDRs on that port` };
  }
  const fromRuntime = evaluator.allowedPorts(runtime, sandbox);
  if (!fromRuntime.has('TCP', port)) {
    yield { object, message: `the runtime (${describeEndpoint(runtime)}) cannot open connections to ${what} on the harness port TCP/${port} (egress: ${evaluator.egressPorts(runtime, sandbox).toString()}; ingress: ${evaluator.ingressPorts(sandbox, runtime).toString()}); allow it in both directions` };
  }
  const runtimeIngress = evaluator.ingressPorts(sandbox, runtime);
  if (!runtimeIngress.isEmpty() && runtimeIngress.toString() !== `TCP/${port}`) {
    yield { object, message: `${what} admit the runtime on ${runtimeIngress.toString()}, more than the harness port TCP/${port}; list only the harness port` };
  }

  // and nothing else in
  const ingress = evaluator.rulesFor(sandbox, 'ingress');
  if (!ingress) {
    yield { object, message: `${what} are not isolated for ingress: any pod or address may connect to them; a default-deny policy must select them` };
    return;
  }
  let unbounded = false;
  for (const { policy, rule } of ingress) {
    if (rule.peers === 'any') {
      unbounded = true;
      yield { object: policy.source, path: rule.path, message: `${policy.label} admits ingress to ${what} from every source; admit only the runtime (${describeEndpoint(runtime)})` };
    } else {
      for (const peer of rule.peers) {
        if (peer.kind !== 'ipBlock') continue;
        unbounded = true;
        yield { object: policy.source, path: peer.path, message: `${policy.label} admits ingress to ${what} from ${peer.cidr.text}; sandboxes are reached only by the runtime, never by address` };
      }
    }
  }
  const sources = evaluator.ingressNamespaces(sandbox);
  if (sources === ALL_NAMESPACES) {
    if (!unbounded) yield { object, message: `${what} admit ingress from pods of every namespace; only the runtime may connect to a sandbox` };
    return;
  }
  for (const stranger of strangers(pods, sources)) {
    const ports = evaluator.ingressPorts(sandbox, stranger);
    if (ports.isEmpty()) continue;
    yield { object, message: `${what} admit ingress from ${describeEndpoint(stranger)} on ${ports.toString()}; only the runtime may connect to a sandbox` };
    break;
  }

  // and out to pods, only DNS and the model gateway
  for (const { policy, rule } of evaluator.rulesFor(sandbox, 'egress') ?? []) {
    if (rule.peers === 'any') continue; // every destination: sandbox-egress-restricted's finding
    for (const peer of rule.peers) {
      if (peer.kind !== 'pods' || isExpectedPeer(peer, rule, gateway, evaluator)) continue;
      if (!gateway && peer.namespaceSelector) continue; // cannot tell the gateway without the option
      yield {
        object: policy.source,
        path: peer.path,
        message: `${policy.label} admits egress from ${what} to pods that are neither cluster DNS (port 53 in ${DNS_NAMESPACE}) nor the model gateway${gateway?.option.inCluster ? ` (pods ${JSON.stringify(gateway.option.inCluster.podSelector)} in ${gateway.option.inCluster.namespace}, TCP/${gateway.option.port})` : ''}; remove that peer`,
      };
    }
  }
}

export const teamNetworkAllows: PolicyRule = {
  id: 'team-network-allows',
  description:
    'Every sandbox of a SandboxTemplate in a team namespace can reach cluster DNS (UDP and TCP 53) and the model gateway, and is reached by the runtime on its harness port; nothing else: no other pod or address connects to it, the runtime reaches no other port, and its egress to pods goes to DNS and the gateway only.',
  *check(context) {
    const gateway = gatewayOf(context.options.modelGateway);
    const extra = [DNS_NAMESPACE, ...(gateway?.option.inCluster ? [gateway.option.inCluster.namespace] : [])];
    const evaluator = context.evaluator().withNamespaces(extra);
    // a policy selecting several sandboxes is reported once per rule path, not once per sandbox
    const reported = new Set<string>();
    const rendered = renderedPods(context);
    const surroundings: Surroundings = { evaluator, runtime: runtimeEndpoint(context), pods: rendered.byNamespace, gateway };
    for (const site of context.podSites()) {
      if (!context.isTeamNamespace(site.namespace)) continue;
      // the sandboxes the runtime claims come from templates (a hand-made Sandbox is never claimed)
      if (!isKind(site.object, KINDS.SandboxTemplate)) continue;
      for (const finding of sandboxFindings(surroundings, site.object, rendered.bySite.get(site)!)) {
        if (finding.object === site.object) {
          yield finding;
          continue;
        }
        const key = `${finding.object.kind}/${finding.object.metadata.namespace ?? ''}/${finding.object.metadata.name}/${finding.path ?? ''}`;
        if (reported.has(key)) continue;
        reported.add(key);
        yield finding;
      }
    }
  },
};
