/**
 * The kind cluster's configuration, pure: the pinned node image on every node, kind's default
 * CNI (kindnet) switched off so Calico — which enforces NetworkPolicy — can be installed, and
 * the pod/service ranges the rendered NetworkPolicies assume (spec.platform.network).
 */
import { stringify } from 'yaml';
import type { PlatformSpec } from '../../config/platform-spec.ts';

export const KIND_API_VERSION = 'kind.x-k8s.io/v1alpha4';

export interface KindClusterConfig {
  readonly kind: 'Cluster';
  readonly apiVersion: typeof KIND_API_VERSION;
  readonly name: string;
  readonly networking: { readonly disableDefaultCNI: true; readonly podSubnet: string; readonly serviceSubnet: string };
  readonly nodes: readonly { readonly role: 'control-plane' | 'worker'; readonly image: string }[];
}

export function kindClusterConfig(spec: PlatformSpec): KindClusterConfig {
  const kind = spec.platform.kind;
  if (spec.platform.environment !== 'kind' || !kind) throw new Error(`stack ${spec.stack} is not a kind stack`);
  return {
    kind: 'Cluster',
    apiVersion: KIND_API_VERSION,
    name: spec.platform.clusterName,
    networking: { disableDefaultCNI: true, podSubnet: spec.platform.network.podCidr, serviceSubnet: spec.platform.network.serviceCidr },
    nodes: [{ role: 'control-plane', image: kind.nodeImage }, ...Array.from({ length: kind.workers }, () => ({ role: 'worker' as const, image: kind.nodeImage }))],
  };
}

/** The YAML `kind create cluster --config=-` reads; stable text, so a change means a real change. */
export function kindClusterConfigYaml(spec: PlatformSpec): string {
  return `# kind cluster for stack ${spec.stack}, written by infra/kind/kind-config.ts\n${stringify(kindClusterConfig(spec), { lineWidth: 0 })}`;
}

/** kubectl context kind creates for a cluster. */
export function kindContext(clusterName: string): string {
  return `kind-${clusterName}`;
}
