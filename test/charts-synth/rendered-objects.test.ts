/**
 * Every object of the shipped stacks validates: built-in kinds against kubernetes-models,
 * custom resources against our own CRD schemas (ajv, strict, x-kubernetes vocabulary).
 */
import { describe, expect, it } from 'vitest';
import { synthesizeStack, stackObjects } from '../../charts-synth/synthesize.ts';
import type { KubeObject } from '../../charts-synth/kube-object.ts';
import { describeObject } from '../../charts-synth/kube-object.ts';
import { validateCustomResource } from '../support/crd-validator.ts';
import { SHIPPED_STACKS, shippedSpec } from '../support/fixtures.ts';

const CUSTOM_GROUPS = ['agents.x-k8s.io', 'extensions.agents.x-k8s.io'];
// Prometheus operator kinds: validated against its vendored CRDs in monitoring/monitoring-chart.test.ts
const OPERATOR_GROUPS = ['monitoring.coreos.com'];

async function validateBuiltIn(object: KubeObject): Promise<void> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const module = group ? `kubernetes-models/${group}/${version}/${object.kind}` : `kubernetes-models/${version}/${object.kind}`;
  const models = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[object.kind];
  if (!Model) throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

describe.each(SHIPPED_STACKS)('rendered objects of stack %s', (stack) => {
  const objects = stackObjects(synthesizeStack(shippedSpec(stack)));

  it('has unique kind/namespace/name identities', () => {
    const ids = objects.map((o) => describeObject(o));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries no label, annotation or name cdk8s derived from a construct path (ADR 0022)', () => {
    for (const object of objects) expect(JSON.stringify(object), describeObject(object)).not.toMatch(/cdk8s\.io|-c8[0-9a-f]{6}\b/);
  });

  it('selects every workload\'s pods by labels its pod template carries, as its Service and PDB do', () => {
    type Workload = { spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } } };
    const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
    expect(workloads.length).toBeGreaterThanOrEqual(2);
    for (const object of workloads) {
      const { selector, template } = (object as unknown as Workload).spec;
      expect(template.metadata.labels, describeObject(object)).toMatchObject(selector.matchLabels);
      const same = (kind: string) => objects.find((o) => o.kind === kind && o.metadata.namespace === object.metadata.namespace && o.metadata.name === object.metadata.name) as { spec: { selector: Record<string, unknown> } } | undefined;
      const service = same('Service');
      if (service) expect(service.spec.selector, `Service of ${describeObject(object)}`).toEqual(selector.matchLabels);
      const pdb = same('PodDisruptionBudget');
      if (pdb) expect(pdb.spec.selector, `PDB of ${describeObject(object)}`).toEqual(selector);
    }
  });

  it('validates every built-in object with kubernetes-models', async () => {
    const builtIn = objects.filter((o) => ![...CUSTOM_GROUPS, ...OPERATOR_GROUPS].some((g) => o.apiVersion.startsWith(`${g}/`)));
    expect(builtIn.length).toBeGreaterThan(20);
    for (const object of builtIn) await expect(validateBuiltIn(object), describeObject(object)).resolves.toBeUndefined();
  });

  it('validates every custom resource against our CRD schemas', () => {
    const custom = objects.filter((o) => CUSTOM_GROUPS.some((g) => o.apiVersion.startsWith(`${g}/`)));
    expect(custom.length).toBeGreaterThan(0);
    for (const object of custom) expect(validateCustomResource(object), describeObject(object)).toEqual([]);
  });

  it('contains no Secret objects, and secret-looking env only by reference', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const podSpecs = objects.flatMap((o) => {
      const spec = o.spec as { template?: { spec?: unknown }; podTemplate?: { spec?: unknown } } | undefined;
      return [spec?.template?.spec, spec?.podTemplate?.spec].filter((p): p is { containers: { env?: { name: string; value?: string }[] }[] } => p !== undefined);
    });
    expect(podSpecs.length).toBeGreaterThan(3);
    const literal = podSpecs.flatMap((p) => p.containers.flatMap((c) => c.env ?? [])).filter((e) => /SECRET|TOKEN|PASSWORD|API_?KEY|CREDENTIAL/i.test(e.name) && e.value !== undefined);
    expect(literal).toEqual([]);
  });
});
