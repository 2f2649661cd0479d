/**
 * Our CRDs against upstream agent-sandbox v0.5.6 (v1beta1): names, scope, subresources,
 * printer columns and every schema keyword of every property outside the embedded PodSpec,
 * status included (the API server prunes status fields a schema lacks).
 */
import { describe, expect, it } from 'vitest';
import { agentSandboxCrds } from '../../../charts-synth/crds/index.ts';
import type { CustomResourceDefinitionObject } from '../../../charts-synth/crds/custom-resource-definition.ts';
import type { StructuralSchema } from '../../../charts-synth/crds/structural-schema.ts';
import { diffSchemas, propertyPaths } from './schema-diff.ts';
import { readUpstreamCrd, UPSTREAM_CRD_FILES, upstreamAvailable, upstreamSkipNote, type UpstreamCrd } from './upstream-reference.ts';

/** Compared by its own test below: ours keeps unknown fields there (ADR 0003). */
const POD_SPEC_PATH = 'spec.podTemplate.spec';
const SKIP = new Set([POD_SPEC_PATH]);

function ourCrd(name: string): CustomResourceDefinitionObject {
  const crd = agentSandboxCrds().find((c) => c.metadata.name === name);
  if (!crd) throw new Error(`we define no CRD named ${name}`);
  return crd;
}

function v1beta1<T extends { name: string }>(versions: readonly T[], where: string): T {
  const version = versions.find((v) => v.name === 'v1beta1');
  if (!version) throw new Error(`${where} has no v1beta1`);
  return version;
}

function podSpecOf(root: StructuralSchema): StructuralSchema | undefined {
  return root.properties?.spec?.properties?.podTemplate?.properties?.spec;
}

describe.skipIf(!upstreamAvailable)(`compatibility with upstream agent-sandbox v0.5.6${upstreamSkipNote}`, () => {
  const pairs = upstreamAvailable
    ? UPSTREAM_CRD_FILES.map((file) => {
        const upstream = readUpstreamCrd(file);
        return [upstream.metadata.name, upstream, ourCrd(upstream.metadata.name)] as const;
      })
    : [];

  it('we define exactly the upstream CRDs', () => {
    expect(agentSandboxCrds().map((c) => c.metadata.name)).toEqual(pairs.map(([name]) => name).sort());
  });

  describe.each(pairs)('%s', (_name, upstream: UpstreamCrd, ours) => {
    const upVersion = v1beta1(upstream.spec.versions, `upstream ${upstream.metadata.name}`);
    const ourVersion = v1beta1(ours.spec.versions, `our ${ours.metadata.name}`);
    const upRoot = upVersion.schema.openAPIV3Schema;
    const ourRoot = ourVersion.schema.openAPIV3Schema;

    it('has the same group, names and scope', () => {
      expect(ours.spec.group).toBe(upstream.spec.group);
      expect(ours.spec.names).toEqual(upstream.spec.names);
      expect(ours.spec.scope).toBe(upstream.spec.scope);
    });

    it('has the same subresources and printer columns in v1beta1, which upstream also stores', () => {
      expect(upVersion.storage).toBe(true);
      expect(ourVersion.subresources).toEqual(upVersion.subresources);
      expect(ourVersion.additionalPrinterColumns).toEqual(upVersion.additionalPrinterColumns);
    });

    it('matches every property outside the PodSpec: types, enums, defaults, required, bounds, formats, patterns, list/map types, validations', () => {
      expect(diffSchemas(upRoot, ourRoot, SKIP)).toEqual([]);
    });

    it('defines every upstream property path, status included, and none upstream lacks', () => {
      const upstreamPaths = propertyPaths(upRoot, SKIP);
      expect(upstreamPaths.length).toBeGreaterThan(5);
      expect(propertyPaths(ourRoot, SKIP).sort()).toEqual(upstreamPaths.sort());
    });

    it('keeps what upstream requires at the top of the PodSpec, where it has one', () => {
      const upPodSpec = podSpecOf(upRoot);
      const ourPodSpec = podSpecOf(ourRoot);
      expect(ourPodSpec === undefined).toBe(upPodSpec === undefined);
      if (!upPodSpec || !ourPodSpec) return;
      expect(ourPodSpec['x-kubernetes-preserve-unknown-fields']).toBe(true);
      expect(ourPodSpec.required).toEqual(upPodSpec.required);
      const upContainers = upPodSpec.properties?.containers;
      const ourContainers = ourPodSpec.properties?.containers;
      expect(ourContainers?.['x-kubernetes-list-type']).toBe(upContainers?.['x-kubernetes-list-type']);
      expect(ourContainers?.['x-kubernetes-list-map-keys']).toEqual(upContainers?.['x-kubernetes-list-map-keys']);
      expect(ourContainers?.items?.required).toEqual(upContainers?.items?.required);
    });
  });
});

describe('schema comparison (the check the compatibility tests rely on)', () => {
  const upstream: StructuralSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          mode: { type: 'string', default: 'Running', enum: ['Running', 'Suspended'] },
          replicas: { type: 'integer', format: 'int32', minimum: 0 },
          podTemplate: { type: 'object', properties: { spec: { type: 'object', properties: { containers: { type: 'array', items: { type: 'object' } } } } } },
          ports: { type: 'array', items: { type: 'object', properties: { port: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true } } }, 'x-kubernetes-list-type': 'atomic' },
        },
        required: ['podTemplate', 'replicas'],
      },
      status: { type: 'object', properties: { nodeName: { type: 'string' }, podIPs: { type: 'array', items: { type: 'string' } } } },
    },
  };

  it('finds no difference between equal schemas, whatever the order of required', () => {
    const ours = structuredClone(upstream);
    ours.properties!.spec!.required = ['replicas', 'podTemplate'];
    expect(diffSchemas(upstream, ours)).toEqual([]);
  });

  it('reports a missing status field, an added field, and changed keywords, each with its path', () => {
    const ours = structuredClone(upstream);
    const spec = ours.properties!.spec!;
    delete ours.properties!.status!.properties!.nodeName;
    spec.properties!.mode = { type: 'string', default: 'Suspended', enum: ['Running'] };
    spec.properties!.replicas!.minimum = 1;
    spec.properties!.extra = { type: 'boolean' };
    spec.required = ['podTemplate'];
    delete spec.properties!.ports!['x-kubernetes-list-type'];
    spec.properties!.ports!.items!.properties!.port = { type: 'integer' };
    expect(diffSchemas(upstream, ours)).toEqual([
      'spec: required differs: upstream ["podTemplate","replicas"], ours ["podTemplate"]',
      'spec.mode: default differs: upstream "Running", ours "Suspended"',
      'spec.mode: enum differs: upstream ["Running","Suspended"], ours ["Running"]',
      'spec.ports: x-kubernetes-list-type differs: upstream "atomic", ours (absent)',
      'spec.ports[].port: anyOf differs: upstream [{"type":"integer"},{"type":"string"}], ours (absent)',
      'spec.ports[].port: type differs: upstream (absent), ours "integer"',
      'spec.ports[].port: x-kubernetes-int-or-string differs: upstream true, ours (absent)',
      'spec.replicas: minimum differs: upstream 0, ours 1',
      'spec.extra: ours adds a field upstream lacks',
      'status.nodeName: missing in ours (upstream defines it)',
    ]);
  });

  it('ignores only the skipped subtree', () => {
    const ours = structuredClone(upstream);
    ours.properties!.spec!.properties!.podTemplate!.properties!.spec = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    expect(diffSchemas(upstream, ours, SKIP)).toEqual([]);
    expect(diffSchemas(upstream, ours).length).toBeGreaterThan(0);
    expect(propertyPaths(upstream, SKIP)).not.toContain('spec.podTemplate.spec.containers');
    expect(propertyPaths(upstream)).toContain('spec.podTemplate.spec.containers');
  });
});
