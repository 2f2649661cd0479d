/**
 * Applies the stack's synthesized charts — the very objects `paddock synth` renders to
 * manifests/<stack>/ — one @pulumi/kubernetes resource per object, server-side applied through
 * the given provider, in the order `planApply` computes. The program's own Secrets (database
 * credentials, token hashes, team env) are created here too, right after their namespace and
 * before anything in it, and always with Pulumi-secret values.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { MANAGED_BY_LABELS } from '../../config/names.ts';
import type { SynthesizedChart } from '../../charts-synth/synthesized-chart.ts';
import { planApply, programObjectKey, type ManagedSecretRef, type ProgramObjectRef } from './apply-plan.ts';
import { kubeObjectResource } from './kube-resource.ts';
import { compareText } from '../../config/compare.ts';

/** Annotation on program-created Secrets: what they hold and where the values come from. */
export const MANAGED_SECRET_ANNOTATION = 'paddock.dev/secret-source';

/** Annotation on other program-made objects (never in manifests/): why the program makes them. */
export const PROGRAM_OBJECT_ANNOTATION = 'paddock.dev/made-by-program';

export interface ManagedSecret extends ManagedSecretRef {
  /** key -> value; made a Pulumi secret whatever it is */
  readonly stringData: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** shown in the Secret's annotation, e.g. "Pulumi: random password of the in-cluster Postgres" */
  readonly source: string;
}

/** An object made by the program from values known only at `pulumi up`, applied like a ManagedSecret. */
export interface ProgramObject extends ProgramObjectRef {
  create(opts: pulumi.CustomResourceOptions): pulumi.CustomResource;
}

export interface SynthesizedChartsArgs {
  readonly charts: readonly SynthesizedChart[];
  readonly secrets: readonly ManagedSecret[];
  readonly programObjects?: readonly ProgramObject[];
  readonly provider: k8s.Provider;
  /** what the first wave waits for: the cluster, its CNI, its nodes, loaded images */
  readonly clusterReady: readonly pulumi.Resource[];
}

/** The resources of one chart (one file under manifests/<stack>/). */
export class KubernetesChart extends pulumi.ComponentResource {
  constructor(name: string, wave: number, opts: pulumi.ComponentResourceOptions) {
    super('paddock:kubernetes:Chart', name, { wave }, opts);
  }

  done(objects: number): void {
    this.registerOutputs({ objects });
  }
}

export class SynthesizedCharts extends pulumi.ComponentResource {
  /** by apply-plan key, e.g. "apps/v1/Deployment:paddock-system/paddock-runtime" */
  readonly resources: ReadonlyMap<string, pulumi.CustomResource>;

  constructor(name: string, args: SynthesizedChartsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:kubernetes:SynthesizedCharts', name, {}, opts);
    const programObjects = args.programObjects ?? [];
    const steps = planApply(args.charts, args.secrets, programObjects);
    const byProgramKey = new Map(programObjects.map((o) => [programObjectKey(o), o]));
    const secrets = new Map(args.secrets.map((s) => [`${s.namespace}/${s.name}`, s]));
    const charts = new Map<string, KubernetesChart>();
    const counts = new Map<string, number>();
    for (const chart of [...args.charts].sort((a, b) => a.wave - b.wave || compareText(a.name, b.name))) {
      charts.set(chart.name, new KubernetesChart(chart.name, chart.wave, { parent: this }));
    }

    const resources = new Map<string, pulumi.CustomResource>();
    const firstWave = steps[0]?.wave;
    for (const step of steps) {
      const dependsOn = [...step.after.map((key) => resources.get(key)!), ...(step.wave === firstWave ? args.clusterReady : [])];
      const opts: pulumi.CustomResourceOptions = { parent: charts.get(step.chart)!, provider: args.provider, dependsOn };
      if (step.type === 'object') {
        resources.set(step.key, kubeObjectResource(step.object, opts));
      } else if (step.type === 'program') {
        resources.set(step.key, byProgramKey.get(step.key)!.create(opts));
      } else {
        const secret = secrets.get(`${step.secret.namespace}/${step.secret.name}`)!;
        resources.set(
          step.key,
          new k8s.core.v1.Secret(
            `${secret.namespace}/${secret.name}`,
            {
              metadata: { name: secret.name, namespace: secret.namespace, labels: { ...MANAGED_BY_LABELS }, annotations: { [MANAGED_SECRET_ANNOTATION]: secret.source } },
              type: 'Opaque',
              stringData: pulumi.secret(secret.stringData),
            },
            opts,
          ),
        );
      }
      counts.set(step.chart, (counts.get(step.chart) ?? 0) + 1);
    }
    for (const [chartName, chart] of charts) chart.done(counts.get(chartName) ?? 0);
    this.resources = resources;
    this.registerOutputs({ charts: [...charts.keys()], objects: steps.length });
  }
}
