import { describe, expect, it } from 'vitest';
import { CustomResourceDefinition, type ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { agentSandboxCrds } from '../../../charts-synth/crds/index.ts';
import { AGENT_SANDBOX_VERSION_ANNOTATION, type CustomResourceDefinitionObject } from '../../../charts-synth/crds/custom-resource-definition.ts';
import type { StructuralSchema } from '../../../charts-synth/crds/structural-schema.ts';
import { sandboxCrd } from '../../../charts-synth/crds/sandbox.ts';
import { sandboxClaimCrd } from '../../../charts-synth/crds/sandbox-claim.ts';
import { sandboxTemplateCrd } from '../../../charts-synth/crds/sandbox-template.ts';
import { sandboxWarmPoolCrd } from '../../../charts-synth/crds/sandbox-warm-pool.ts';
import { synthChart } from '../../../charts-synth/platform-chart.ts';
import { createAjv, toAjvSchema } from '../../support/crd-validator.ts';
import { canonicalJson } from './schema-diff.ts';
import { defaultsOf, rootViolations, structuralViolations } from './structural-rules.ts';

function kubernetesModelsErrors(crd: unknown): string | undefined {
  try {
    new CustomResourceDefinition(crd as ICustomResourceDefinition).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function rootSchema(crd: CustomResourceDefinitionObject) {
  const version = crd.spec.versions[0];
  if (!version) throw new Error(`${crd.metadata.name} has no version`);
  return version.schema.openAPIV3Schema;
}

/** Defaults that do not validate against their own field's schema. */
function invalidDefaults(root: StructuralSchema): string[] {
  const ajv = createAjv();
  return defaultsOf(root).flatMap(({ path, schema }) => {
    const { default: defaultValue, ...withoutDefault } = schema;
    const validate = ajv.compile(toAjvSchema(withoutDefault, path));
    return validate(structuredClone(defaultValue)) ? [] : [`${path}: default ${JSON.stringify(defaultValue)}: ${ajv.errorsText(validate.errors)}`];
  });
}

const crds = agentSandboxCrds();

describe('agentSandboxCrds', () => {
  it('returns the four CRDs sorted by name', () => {
    expect(crds.map((c) => c.metadata.name)).toEqual([
      'sandboxclaims.extensions.agents.x-k8s.io',
      'sandboxes.agents.x-k8s.io',
      'sandboxtemplates.extensions.agents.x-k8s.io',
      'sandboxwarmpools.extensions.agents.x-k8s.io',
    ]);
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual(['Sandbox', 'SandboxClaim', 'SandboxTemplate', 'SandboxWarmPool']);
  });

  it.each(crds.map((c) => [c.metadata.name, c] as const))('%s is a valid apiextensions.k8s.io/v1 CustomResourceDefinition (kubernetes-models)', (_name, crd) => {
    expect(kubernetesModelsErrors(crd)).toBeUndefined();
  });

  it('the kubernetes-models check rejects a broken CRD (so the check above can fail)', () => {
    const broken = structuredClone(sandboxCrd()) as unknown as { spec: Record<string, unknown> };
    broken.spec.scope = 42;
    delete broken.spec.names;
    expect(kubernetesModelsErrors(broken)).toMatch(/names|scope/);
  });

  it.each(crds.map((c) => [c.metadata.name, c] as const))('%s has a structural schema the API server accepts', (_name, crd) => {
    expect(rootViolations(rootSchema(crd))).toEqual([]);
  });

  it.each(crds.map((c) => [c.metadata.name, c] as const))('%s compiles under ajv strict mode and every default is valid for its field', (_name, crd) => {
    expect(() => createAjv().compile(toAjvSchema(rootSchema(crd)))).not.toThrow();
    expect(defaultsOf(rootSchema(crd)).length).toBeGreaterThan(0);
    expect(invalidDefaults(rootSchema(crd))).toEqual([]);
  });

  it('an invalid default is caught (the API server rejects such a CRD)', () => {
    const crd = sandboxWarmPoolCrd();
    const spec = rootSchema(crd).properties!.spec!;
    spec.properties!.replicas!.default = -1;
    spec.properties!.updateStrategy!.properties!.type!.default = 'Rolling';
    expect(invalidDefaults(rootSchema(crd))).toEqual(['spec.replicas: default -1: data must be >= 0', 'spec.updateStrategy.type: default "Rolling": data must be equal to one of the allowed values']);
  });

  it('the structural checker catches the mistakes the API server rejects', () => {
    expect(
      structuralViolations({
        type: 'object',
        properties: {
          untyped: {},
          both: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
          closed: { type: 'object', additionalProperties: false },
          list: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] },
          junctor: { type: 'string', anyOf: [{ type: 'string', default: 'x' }] },
          typo: { type: 'string', format: 'date_time' },
        },
        required: ['missing'],
      }),
    ).toEqual([
      '<root>: required field "missing" is not in properties',
      'untyped: type is required',
      'both: properties and additionalProperties are mutually exclusive',
      'closed: additionalProperties: false is forbidden in v1 CRDs',
      'list: list-map key "id" must be required or defaulted',
      'junctor.anyOf[0]: "type" is not allowed inside anyOf/allOf/oneOf/not',
      'junctor.anyOf[0]: "default" is not allowed inside anyOf/allOf/oneOf/not',
      'typo: unknown format "date_time"',
    ]);
  });

  it('serves v1beta1 only, stores it, and converts nothing (the controller runs with webhooks off)', () => {
    for (const crd of crds) {
      expect(crd.spec.versions.map((v) => ({ name: v.name, served: v.served, storage: v.storage }))).toEqual([{ name: 'v1beta1', served: true, storage: true }]);
      expect(crd.spec.conversion).toEqual({ strategy: 'None' });
      expect(crd.spec.scope).toBe('Namespaced');
      expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.${crd.spec.group}`);
    }
  });

  it('labels each CRD as part of Paddock and names the upstream version it reproduces', () => {
    for (const crd of crds) {
      expect(crd.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'paddock', 'app.kubernetes.io/managed-by': 'paddock', 'app.kubernetes.io/version': 'v0.5.6' });
      expect(crd.metadata.annotations).toEqual({ [AGENT_SANDBOX_VERSION_ANNOTATION]: 'v0.5.6' });
      expect(crd.metadata.namespace).toBeUndefined();
    }
  });

  it('keeps the PodSpec open (ADR 0003) but still requires uniquely named containers', () => {
    for (const crd of [sandboxCrd(), sandboxTemplateCrd()]) {
      const podSpec = rootSchema(crd).properties?.spec?.properties?.podTemplate?.properties?.spec;
      expect(podSpec).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, required: ['containers'] });
      expect(podSpec?.properties?.containers).toMatchObject({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { required: ['name'] } });
    }
  });

  it('each CRD fits client-side apply (last-applied annotation limit 256 KiB) with room to spare', () => {
    for (const crd of crds) expect(JSON.stringify(crd).length, crd.metadata.name).toBeLessThan(64 * 1024);
  });

  it('is deterministic and returns fresh objects on every call', () => {
    const first = agentSandboxCrds();
    const firstJson = JSON.stringify(first);
    const sandboxSpec = rootSchema(first[1]!).properties!.spec!;
    sandboxSpec.properties!.shutdownPolicy!.default = 'Delete';
    expect(JSON.stringify(agentSandboxCrds())).toBe(firstJson);
    expect(JSON.stringify([sandboxClaimCrd(), sandboxCrd(), sandboxTemplateCrd(), sandboxWarmPoolCrd()])).toBe(firstJson);
    expect(firstJson).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  it('survives the cdk8s chart unchanged (no empty subresource or schema node is dropped)', () => {
    const synthesized = synthChart('crds', agentSandboxCrds());
    expect(synthesized.map(canonicalJson)).toEqual(agentSandboxCrds().map(canonicalJson));
    const warmPool = synthesized.find((o) => o.metadata.name.startsWith('sandboxwarmpools.')) as unknown as CustomResourceDefinitionObject;
    expect(warmPool.spec.versions[0]?.subresources).toEqual({
      scale: { labelSelectorPath: '.status.selector', specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
      status: {},
    });
  });
});
