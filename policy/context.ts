/**
 * Everything rules look up, indexed once per check: objects by kind, namespaces, pod specs,
 * RBAC objects, NetworkPolicies and the evaluator. Rules never rescan the whole stack in a
 * loop, so 1000 teams cost about 1000 times one team.
 */
import type { KubeObject } from '../charts-synth/kube-object.ts';
import { TEAM_LABEL } from '../config/names.ts';
import { apiGroupOf, isWorkload, KINDS, type KindRef } from './kinds.ts';
import { endpointsByNamespace } from './network/endpoints.ts';
import { NetworkPolicyEvaluator, type PodEndpoint } from './network/evaluator.ts';
import { parseIpRange, type IpRange } from './network/ip-range.ts';
import { NamespaceIndex } from './network/namespace-index.ts';
import { networkPoliciesOf, type NormalizedPolicy } from './network/policy-model.ts';
import type { PolicyOptions } from './types.ts';
import { podSiteOf, type PodSite } from './workload/pod-sites.ts';

/** Private, shared and link-local ranges: where clusters, VPCs and their API servers live. */
export const DEFAULT_INTERNAL_CIDRS: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fe80::/10'];

const SANDBOX_KINDS = [KINDS.Sandbox, KINDS.SandboxTemplate, KINDS.SandboxWarmPool, KINDS.SandboxClaim];

function parseRanges(texts: readonly string[], option: string): IpRange[] {
  return texts.map((text) => {
    const range = parseIpRange(text);
    if (!range) throw new Error(`policy option ${option}: ${JSON.stringify(text)} is not an IP range (e.g. "10.0.0.0/16")`);
    return range;
  });
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

export class PolicyContext {
  readonly internalRanges: readonly IpRange[];
  readonly podCidrs: readonly string[] | undefined;
  private readonly byKind = new Map<string, KubeObject[]>();
  private readonly byNamespacedName = new Map<string, KubeObject>();

  constructor(
    readonly objects: readonly KubeObject[],
    readonly options: PolicyOptions = {},
  ) {
    this.internalRanges = parseRanges(options.internalCidrs ?? DEFAULT_INTERNAL_CIDRS, 'internalCidrs');
    if (options.podCidrs) parseRanges(options.podCidrs, 'podCidrs');
    this.podCidrs = options.podCidrs;
    for (const object of objects) {
      const key = `${apiGroupOf(object.apiVersion)}/${object.kind}`;
      const list = this.byKind.get(key);
      if (list) list.push(object);
      else this.byKind.set(key, [object]);
      this.byNamespacedName.set(`${key}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, object);
    }
  }

  ofKind(kind: KindRef): readonly KubeObject[] {
    return this.byKind.get(`${kind.group}/${kind.kind}`) ?? [];
  }

  /** The object of this kind and name, if the stack renders it (namespace '' for cluster-scoped). */
  find(kind: KindRef, namespace: string, name: string): KubeObject | undefined {
    return this.byNamespacedName.get(`${kind.group}/${kind.kind}/${namespace}/${name}`);
  }

  namespaceObject(name: string): KubeObject | undefined {
    return this.find(KINDS.Namespace, '', name);
  }

  readonly namespaceIndex = lazy(() => NamespaceIndex.fromObjects(this.objects));

  /** Objects that make pods, grouped by namespace (sorted by namespace). */
  readonly podRunningNamespaces = lazy(() => {
    const byNamespace = new Map<string, KubeObject[]>();
    for (const object of this.objects) {
      if (!isWorkload(object)) continue;
      const namespace = object.metadata.namespace ?? 'default';
      const list = byNamespace.get(namespace);
      if (list) list.push(object);
      else byNamespace.set(namespace, [object]);
    }
    return new Map([...byNamespace.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  /**
   * Team namespaces (sorted): labelled `paddock.dev/team`, or hosting sandboxes. The second
   * half keeps a namespace that lost its label from escaping every team rule.
   */
  readonly teamNamespaces = lazy(() => {
    const names = new Set<string>();
    for (const ns of this.ofKind(KINDS.Namespace)) {
      if (ns.metadata.labels?.[TEAM_LABEL] !== undefined) names.add(ns.metadata.name);
    }
    for (const kind of SANDBOX_KINDS) for (const object of this.ofKind(kind)) names.add(object.metadata.namespace ?? 'default');
    return [...names].sort();
  });

  private readonly teamNamespaceSet = lazy(() => new Set(this.teamNamespaces()));

  isTeamNamespace(name: string): boolean {
    return this.teamNamespaceSet().has(name);
  }

  /** Every pod spec in the stack, in input order. */
  readonly podSites = lazy((): PodSite[] => this.objects.map(podSiteOf).filter((s): s is PodSite => s !== undefined));

  readonly networkPolicies = lazy((): NormalizedPolicy[] => networkPoliciesOf(this.objects));

  readonly evaluator = lazy(() => new NetworkPolicyEvaluator(this.networkPolicies(), this.namespaceIndex(), this.podCidrs ? { podCidrs: this.podCidrs } : {}));

  /** The pods that may run in each team namespace. */
  readonly teamEndpoints = lazy((): Map<string, PodEndpoint[]> => {
    const teams = this.teamNamespaceSet();
    return endpointsByNamespace(
      this.teamNamespaces(),
      this.podSites().filter((s) => teams.has(s.namespace)),
      this.networkPolicies().filter((p) => teams.has(p.namespace)),
    );
  });
}
