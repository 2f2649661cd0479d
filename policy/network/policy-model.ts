/**
 * NetworkPolicies normalised for evaluation: the stack's own NetworkPolicy objects plus the one
 * the agent-sandbox controller creates for every SandboxTemplate whose
 * `networkPolicyManagement` is `Managed` (the default). That controller policy is invisible in
 * the rendered files but just as real in the cluster, and NetworkPolicies are additive, so
 * ignoring it could hide a path out of a sandbox.
 */
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { INetworkPolicyIngressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { INetworkPolicySpec } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec';
import { describeObject, type KubeObject } from '../../charts-synth/kube-object.ts';
import { isKind, KINDS } from '../kinds.ts';
import { parseIpRange, type IpRange } from './ip-range.ts';
import type { LabelSelector } from './label-selector.ts';
import type { Protocol } from './port-set.ts';

/**
 * Label the agent-sandbox controller puts on every pod made from a template, and selects in
 * the template's managed NetworkPolicy. Its value is a hash of namespace and name upstream; the
 * evaluator only needs it to be distinct per template.
 */
export const SANDBOX_TEMPLATE_REF_LABEL = 'agents.x-k8s.io/sandbox-template-ref-hash';

export function sandboxTemplateRef(namespace: string, name: string): string {
  return `${namespace}.${name}`;
}

export interface PodsPeer {
  readonly kind: 'pods';
  /** undefined: every pod of the selected namespaces */
  readonly podSelector?: LabelSelector;
  /** undefined: the policy's own namespace */
  readonly namespaceSelector?: LabelSelector;
  readonly path: string;
}

export interface IpBlockPeer {
  readonly kind: 'ipBlock';
  readonly cidr: IpRange;
  readonly except: readonly IpRange[];
  /** the CIDR text did not parse; evaluated as "every address" so nothing is missed */
  readonly invalid: readonly string[];
  readonly path: string;
}

export type Peer = PodsPeer | IpBlockPeer;

export interface PortRule {
  readonly protocol: Protocol;
  /** undefined: every port of the protocol; a string is a named container port */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface NormalizedRule {
  /** e.g. "spec.egress[1]" */
  readonly path: string;
  /** 'any': no `to`/`from` (every source or destination, inside the cluster or not) */
  readonly peers: readonly Peer[] | 'any';
  /** 'any': no `ports` (every port of every protocol) */
  readonly ports: readonly PortRule[] | 'any';
}

export interface NormalizedPolicy {
  /** the object that causes the policy: a NetworkPolicy, or the SandboxTemplate the controller reads */
  readonly source: KubeObject;
  /** "NetworkPolicy team-a/default-deny", or the controller policy's name and its template */
  readonly label: string;
  readonly namespace: string;
  /** 'template-default': a Managed SandboxTemplate without `networkPolicy`, so the controller's default */
  readonly origin: 'network-policy' | 'template' | 'template-default';
  readonly podSelector: LabelSelector;
  /** undefined: the policy does not isolate pods for ingress */
  readonly ingress?: readonly NormalizedRule[];
  readonly egress?: readonly NormalizedRule[];
}

const EVERYTHING_V4 = parseIpRange('0.0.0.0/0')!;

function normalizePeers(peers: readonly INetworkPolicyPeer[] | undefined, path: string): readonly Peer[] | 'any' {
  if (!peers || peers.length === 0) return 'any';
  return peers.map((peer, index): Peer => {
    const at = `${path}[${index}]`;
    if (peer.ipBlock) {
      const invalid: string[] = [];
      const parse = (text: string): IpRange => {
        const range = parseIpRange(text);
        if (range) return range;
        invalid.push(text);
        return { ...EVERYTHING_V4, text };
      };
      const cidr = parse(peer.ipBlock.cidr);
      // an unreadable `except` entry removes nothing: keep the block as wide as it could be
      const except = (peer.ipBlock.except ?? []).map((text) => parseIpRange(text) ?? (invalid.push(text), undefined)).filter((r): r is IpRange => r !== undefined);
      return { kind: 'ipBlock', cidr, except, invalid, path: `${at}.ipBlock` };
    }
    return {
      kind: 'pods',
      ...(peer.podSelector ? { podSelector: peer.podSelector } : {}),
      ...(peer.namespaceSelector ? { namespaceSelector: peer.namespaceSelector } : {}),
      path: at,
    };
  });
}

function normalizePorts(ports: readonly INetworkPolicyPort[] | undefined): readonly PortRule[] | 'any' {
  if (!ports || ports.length === 0) return 'any';
  return ports.map((p) => ({
    protocol: p.protocol ?? 'TCP',
    ...(p.port !== undefined ? { port: p.port } : {}),
    ...(p.endPort !== undefined ? { endPort: p.endPort } : {}),
  }));
}

function normalizeRules(rules: readonly (INetworkPolicyIngressRule | INetworkPolicyEgressRule)[] | undefined, path: string, direction: 'from' | 'to'): NormalizedRule[] {
  return (rules ?? []).map((rule, index) => {
    const peers = direction === 'from' ? (rule as INetworkPolicyIngressRule).from : (rule as INetworkPolicyEgressRule).to;
    return { path: `${path}[${index}]`, peers: normalizePeers(peers, `${path}[${index}].${direction}`), ports: normalizePorts(rule.ports) };
  });
}

/**
 * Kubernetes semantics for `policyTypes`: when omitted, Ingress always applies and Egress
 * applies only if the policy has egress rules.
 */
export function normalizeNetworkPolicy(object: KubeObject): NormalizedPolicy {
  const spec = (object.spec ?? {}) as Partial<INetworkPolicySpec>;
  const types = spec.policyTypes ?? ['Ingress', ...((spec.egress ?? []).length > 0 ? (['Egress'] as const) : [])];
  return {
    source: object,
    label: describeObject(object),
    namespace: object.metadata.namespace ?? 'default',
    origin: 'network-policy',
    podSelector: spec.podSelector ?? {},
    ...(types.includes('Ingress') ? { ingress: normalizeRules(spec.ingress, 'spec.ingress', 'from') } : {}),
    ...(types.includes('Egress') ? { egress: normalizeRules(spec.egress, 'spec.egress', 'to') } : {}),
  };
}

interface SandboxTemplateNetworkFields {
  networkPolicyManagement?: 'Managed' | 'Unmanaged';
  networkPolicy?: { ingress?: INetworkPolicyIngressRule[]; egress?: INetworkPolicyEgressRule[] };
}

/**
 * The controller's default when a Managed template has no `networkPolicy` (agent-sandbox
 * v0.5.6, SandboxTemplateReconciler.buildDefaultNetworkPolicySpec): ingress only from pods
 * labelled `app: sandbox-router` in agent-sandbox-system; egress to every address outside the
 * RFC 1918, link-local and IPv6 private ranges, on every port (cluster DNS included in the block).
 */
export const CONTROLLER_DEFAULT_TEMPLATE_POLICY: Required<NonNullable<SandboxTemplateNetworkFields['networkPolicy']>> = {
  ingress: [
    {
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'agent-sandbox-system' } }, podSelector: { matchLabels: { app: 'sandbox-router' } } }],
    },
  ],
  egress: [
    {
      to: [
        { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] } },
        { ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10'] } },
      ],
    },
  ],
};

/** The NetworkPolicy the agent-sandbox controller maintains for a template, if any. */
export function controllerPolicyOf(template: KubeObject): NormalizedPolicy | undefined {
  const spec = (template.spec ?? {}) as SandboxTemplateNetworkFields;
  if (spec.networkPolicyManagement === 'Unmanaged') return undefined;
  const namespace = template.metadata.namespace ?? 'default';
  const custom = spec.networkPolicy;
  const rules = custom ?? CONTROLLER_DEFAULT_TEMPLATE_POLICY;
  // the default's rules have no place in the template; point at the field that would replace them
  const at = (path: string): string => (custom ? path : 'spec.networkPolicy');
  return {
    source: template,
    label: `NetworkPolicy ${namespace}/${template.metadata.name}-network-policy (created by the agent-sandbox controller for ${describeObject(template)})`,
    namespace,
    origin: custom ? 'template' : 'template-default',
    podSelector: { matchLabels: { [SANDBOX_TEMPLATE_REF_LABEL]: sandboxTemplateRef(namespace, template.metadata.name) } },
    // a custom networkPolicy replaces the default entirely; an omitted list denies that direction
    ingress: normalizeRules(rules.ingress, 'spec.networkPolicy.ingress', 'from').map((r) => ({ ...r, path: at(r.path) })),
    egress: normalizeRules(rules.egress, 'spec.networkPolicy.egress', 'to').map((r) => ({ ...r, path: at(r.path) })),
  };
}

/** Every NetworkPolicy the stack puts in the cluster, directly or through the controller. */
export function networkPoliciesOf(objects: readonly KubeObject[]): NormalizedPolicy[] {
  const policies: NormalizedPolicy[] = [];
  for (const object of objects) {
    if (isKind(object, KINDS.NetworkPolicy)) policies.push(normalizeNetworkPolicy(object));
    else if (isKind(object, KINDS.SandboxTemplate)) {
      const policy = controllerPolicyOf(object);
      if (policy) policies.push(policy);
    }
  }
  return policies;
}
