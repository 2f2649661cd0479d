/**
 * Images built on the developer's machine that the kind nodes cannot pull: the runtime and
 * every harness a team of the stack uses. Pure: the list, sorted and without duplicates.
 */
import type { KubeObject } from '../../charts-synth/kube-object.ts';
import type { SynthesizedChart } from '../../charts-synth/synthesized-chart.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';

export function locallyBuiltImages(spec: PlatformSpec): string[] {
  const images = new Set<string>([spec.platform.runtime.image]);
  for (const team of spec.teams) for (const harness of team.harnesses) images.add(harness.definition.image);
  return [...images].sort();
}

export type ImageSource = 'local' | 'registry';

/**
 * Every image the kind stack runs, with where it comes from: the locally built ones, and the
 * ones the nodes would otherwise pull from a registry (Calico, the agent-sandbox controller,
 * Postgres), pulled once into the local Docker store and loaded into the nodes, so that
 * re-creating the cluster does not pull them again (registry rate limits, offline laptops).
 */
export function kindStackImages(spec: PlatformSpec, charts: readonly SynthesizedChart[], calicoImages: readonly string[]): { image: string; source: ImageSource }[] {
  const local = new Set(locallyBuiltImages(spec));
  const all = new Set<string>([...local, ...calicoImages]);
  for (const chart of charts) for (const object of chart.objects) for (const image of containerImages(object)) all.add(image);
  return [...all].sort().map((image) => ({ image, source: local.has(image) ? 'local' : 'registry' }));
}

/** The images of a workload's pod template (Deployment, StatefulSet, DaemonSet, Job, SandboxTemplate). */
function containerImages(object: KubeObject): string[] {
  const template = (object.spec as { template?: { spec?: PodSpecLike }; podTemplate?: { spec?: PodSpecLike } } | undefined);
  const pod = template?.template?.spec ?? template?.podTemplate?.spec;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].map((c) => c.image).filter((image): image is string => typeof image === 'string');
}

interface PodSpecLike {
  readonly containers?: readonly { image?: string }[];
  readonly initContainers?: readonly { image?: string }[];
}

/** "ghcr.io/paddock-dev/harness-codex:0.1.0" -> "ghcr.io-paddock-dev-harness-codex-0.1.0": unique per image. */
export function imageResourceName(image: string): string {
  return image.replace(/@sha256:([a-f0-9]{12})[a-f0-9]*$/, '@$1').replace(/[^A-Za-z0-9._-]+/g, '-');
}
