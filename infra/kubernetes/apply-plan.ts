/**
 * The order in which the synthesized objects (and the Secrets the program itself creates) are
 * applied: a pure function of the charts, so it is tested without Pulumi.
 *
 * - Waves run in order (CRDs, agent-sandbox controller, runtime, Postgres, teams): every
 *   object of a wave waits for every object of the wave before it.
 * - Inside a wave, a Namespace comes first; the program's Secrets and other program-made
 *   objects for that namespace follow it; the namespace's other objects wait for them, so no
 *   pod ever starts before its Secrets (or its SecurityGroupPolicy) exist.
 * - A custom resource also waits for its CustomResourceDefinition.
 * - An object in a namespace or of a kind that only a later wave creates is an error.
 */
import { describeObject, type KubeObject } from '../../charts-synth/kube-object.ts';
import type { SynthesizedChart } from '../../charts-synth/synthesized-chart.ts';
import { compareText } from '../../config/compare.ts';

/** A Secret the program creates (values from Pulumi), never rendered to manifests/. */
export interface ManagedSecretRef {
  readonly namespace: string;
  readonly name: string;
}

interface StepBase {
  readonly key: string;
  /** the chart whose component the resource is created under */
  readonly chart: string;
  readonly wave: number;
  /** keys of steps this one waits for; always earlier in the plan */
  readonly after: readonly string[];
}

/**
 * Another object the program creates from values only known at `pulumi up` (e.g. the
 * SecurityGroupPolicy naming the runtime pods' security group): ordered like the program's
 * Secrets, after its namespace and before every other object there.
 */
export interface ProgramObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export type ApplyStep =
  | (StepBase & { readonly type: 'object'; readonly object: KubeObject })
  | (StepBase & { readonly type: 'secret'; readonly secret: ManagedSecretRef })
  | (StepBase & { readonly type: 'program'; readonly ref: ProgramObjectRef });

/** "apps/v1/Deployment:paddock-system/paddock-runtime"; cluster-scoped objects have no namespace part. */
export function objectKey(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${apiVersion}/${kind}:${namespace ? `${namespace}/` : ''}${name}`;
}

export function keyOf(object: KubeObject): string {
  return objectKey(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
}

export function secretKey(secret: ManagedSecretRef): string {
  return objectKey('v1', 'Secret', secret.namespace, secret.name);
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

/** `${group}/${kind}` served by a CRD object, or undefined for other objects. */
function crdServes(object: KubeObject): string | undefined {
  if (object.kind !== 'CustomResourceDefinition') return undefined;
  const spec = object.spec as { group?: string; names?: { kind?: string } } | undefined;
  return spec?.group && spec.names?.kind ? `${spec.group}/${spec.names.kind}` : undefined;
}

export function programObjectKey(ref: ProgramObjectRef): string {
  return objectKey(ref.apiVersion, ref.kind, ref.namespace, ref.name);
}

export function planApply(charts: readonly SynthesizedChart[], secrets: readonly ManagedSecretRef[], programObjects: readonly ProgramObjectRef[] = []): ApplyStep[] {
  const ordered = [...charts].sort((a, b) => a.wave - b.wave || compareText(a.name, b.name));
  const namespaces = new Map<string, { key: string; wave: number; chart: string }>();
  const crds = new Map<string, { key: string; wave: number }>();
  const seen = new Set<string>();
  for (const chart of ordered) {
    for (const object of chart.objects) {
      const key = keyOf(object);
      if (seen.has(key)) throw new Error(`${describeObject(object)} is defined twice (chart ${chart.name})`);
      seen.add(key);
      if (object.kind === 'Namespace') namespaces.set(object.metadata.name, { key, wave: chart.wave, chart: chart.name });
      const served = crdServes(object);
      if (served) crds.set(served, { key, wave: chart.wave });
    }
  }

  const secretsByNamespace = new Map<string, string[]>();
  for (const secret of [...secrets].sort((a, b) => compareText(secretKey(a), secretKey(b)))) {
    const key = secretKey(secret);
    if (seen.has(key)) throw new Error(`Secret ${secret.namespace}/${secret.name} is both rendered by a chart and created by the program`);
    seen.add(key);
    if (!namespaces.has(secret.namespace)) throw new Error(`Secret ${secret.namespace}/${secret.name}: no chart creates the namespace "${secret.namespace}"`);
    secretsByNamespace.set(secret.namespace, [...(secretsByNamespace.get(secret.namespace) ?? []), key]);
  }
  for (const ref of [...programObjects].sort((a, b) => compareText(programObjectKey(a), programObjectKey(b)))) {
    const key = programObjectKey(ref);
    if (seen.has(key)) throw new Error(`${ref.kind} ${ref.namespace}/${ref.name} is both rendered by a chart and created by the program`);
    seen.add(key);
    if (!namespaces.has(ref.namespace)) throw new Error(`${ref.kind} ${ref.namespace}/${ref.name}: no chart creates the namespace "${ref.namespace}"`);
    secretsByNamespace.set(ref.namespace, [...(secretsByNamespace.get(ref.namespace) ?? []), key]);
  }

  const waves = [...new Set(ordered.map((c) => c.wave))];
  const steps: ApplyStep[] = [];
  let barrier: string[] = [];
  for (const wave of waves) {
    const inWave = ordered.filter((c) => c.wave === wave);
    const waveKeys: string[] = [];
    const add = (step: ApplyStep) => {
      steps.push(step);
      waveKeys.push(step.key);
    };

    for (const chart of inWave) {
      for (const object of chart.objects.filter((o) => o.kind === 'Namespace')) {
        add({ type: 'object', key: keyOf(object), chart: chart.name, wave, object, after: [...barrier] });
        for (const secret of secrets.filter((s) => s.namespace === object.metadata.name)) {
          add({ type: 'secret', key: secretKey(secret), chart: chart.name, wave, secret, after: [keyOf(object)] });
        }
        for (const ref of programObjects.filter((r) => r.namespace === object.metadata.name)) {
          add({ type: 'program', key: programObjectKey(ref), chart: chart.name, wave, ref, after: [keyOf(object)] });
        }
      }
    }

    for (const chart of inWave) {
      for (const object of chart.objects.filter((o) => o.kind !== 'Namespace')) {
        const after = [...barrier];
        const namespace = object.metadata.namespace;
        if (namespace) {
          const created = namespaces.get(namespace);
          if (created && created.wave > wave) throw new Error(`${describeObject(object)} (chart ${chart.name}, wave ${wave}) is in namespace "${namespace}", which chart ${created.chart} creates only in wave ${created.wave}`);
          if (created) after.push(created.key);
          after.push(...(secretsByNamespace.get(namespace) ?? []));
        }
        const crd = crds.get(`${groupOf(object.apiVersion)}/${object.kind}`);
        if (crd) {
          if (crd.wave > wave) throw new Error(`${describeObject(object)} (wave ${wave}) needs its CustomResourceDefinition, which is applied only in wave ${crd.wave}`);
          after.push(crd.key);
        }
        add({ type: 'object', key: keyOf(object), chart: chart.name, wave, object, after: [...new Set(after)] });
      }
    }
    barrier = waveKeys;
  }
  return steps;
}
