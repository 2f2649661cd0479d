/** One deployable unit of a stack, rendered to `manifests/<stack>/<file>`. */
import type { KubeObject } from './kube-object.ts';

export interface SynthesizedChart {
  /** e.g. "crds", "agent-sandbox", "postgres", "runtime", "team-payments" */
  readonly name: string;
  /** `${name}.k8s.yaml` */
  readonly file: string;
  /** apply order: lower first (CRDs 0, agent-sandbox 1, postgres 2, runtime 3, teams 4) */
  readonly wave: number;
  readonly objects: readonly KubeObject[];
}
