/**
 * A cdk8s Chart holding the objects of one deployable unit. Builders stay pure functions
 * (spec in, objects out); the chart is where they meet cdk8s, which resolves and serialises.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import type { KubeObject } from './kube-object.ts';

export class PlatformChart extends Chart {
  constructor(app: App, id: string, objects: readonly KubeObject[]) {
    super(app, id, { disableResourceNameHashes: true });
    const seen = new Set<string>();
    for (const object of objects) {
      // construct ids from kind + namespace + name: stable when code moves, unique per chart
      const constructId = `${object.kind}-${object.metadata.namespace ?? '_'}-${object.metadata.name}`;
      if (seen.has(constructId)) throw new Error(`chart ${id}: ${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name} is defined twice`);
      seen.add(constructId);
      new ApiObject(this, constructId, object);
    }
  }
}

/**
 * Synthesises one chart in an App of its own. cdk8s resolves every chart of an App against
 * the others, which grows quadratically with the chart count (ADR 0001); charts here share
 * nothing, so one App each keeps 1000 teams linear.
 */
export function synthChart(id: string, objects: readonly KubeObject[]): KubeObject[] {
  // Builders emit plain data (no tokens or Lazy values), so no resolvers are needed.
  const app = new App({ outdir: 'unused', recordConstructMetadata: false, resolvers: [] });
  const chart = new PlatformChart(app, id, objects);
  return chart.toJson() as KubeObject[];
}
