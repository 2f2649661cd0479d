/**
 * A cdk8s Chart holding the objects of one deployable unit. Builders stay pure (spec in,
 * objects or constructs out); the chart is where they meet cdk8s, which resolves and
 * serialises. Workloads are cdk8s-plus-30 constructs added by a chart body (ADR 0022);
 * everything core ApiObjects express more exactly is added as plain objects.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { assertValidPodTemplate } from './builders/object-validation.ts';
import { describeObject, type KubeObject } from './kube-object.ts';

/** Adds a chart's constructs (cdk8s-plus workloads, plain objects) to it. */
export type ChartBody = (chart: PlatformChart) => void;

/** Kinds whose `spec.template` is a pod template synth validates. */
const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export class PlatformChart extends Chart {
  private readonly constructIds = new Set<string>();

  constructor(app: App, id: string, objects: readonly KubeObject[] = []) {
    super(app, id, { disableResourceNameHashes: true });
    this.addObjects(objects);
  }

  /** Adds plain objects as core ApiObjects. */
  addObjects(objects: readonly KubeObject[]): void {
    for (const object of objects) {
      // construct ids from kind + namespace + name: stable when code moves, unique per chart
      const constructId = PlatformChart.constructIdOf(object.kind, object.metadata.namespace, object.metadata.name);
      if (this.constructIds.has(constructId) || this.node.tryFindChild(constructId)) {
        throw new Error(`chart ${this.node.id}: ${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name} is defined twice`);
      }
      this.constructIds.add(constructId);
      new ApiObject(this, constructId, object);
    }
  }

  /** The construct id a chart gives the object `kind namespace/name`; cdk8s-plus constructs use it too. */
  static constructIdOf(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}-${namespace ?? '_'}-${name}`;
  }
}

/** Every Deployment/StatefulSet pod template of a synthesised chart must be a valid PodTemplateSpec. */
function assertValidWorkloads(objects: readonly KubeObject[]): void {
  for (const object of objects) {
    if (!WORKLOAD_KINDS.has(object.kind)) continue;
    const template = (object.spec as { template?: IPodTemplateSpec } | undefined)?.template;
    if (!template) throw new Error(`${describeObject(object)}: has no pod template`);
    assertValidPodTemplate(describeObject(object), template);
  }
}

/**
 * Synthesises one chart in an App of its own. cdk8s resolves every chart of an App against
 * the others, which grows quadratically with the chart count (ADR 0001); charts here share
 * nothing, so one App each keeps 1000 teams linear.
 */
export function synthChart(id: string, content: readonly KubeObject[] | ChartBody): KubeObject[] {
  // Charts hold plain data and cdk8s-plus constructs (no Lazy values of our own), so no resolvers are needed.
  const app = new App({ outdir: 'unused', recordConstructMetadata: false, resolvers: [] });
  const chart = new PlatformChart(app, id);
  if (typeof content === 'function') content(chart);
  else chart.addObjects(content);
  const objects = chart.toJson() as KubeObject[];
  assertValidWorkloads(objects);
  return objects;
}
