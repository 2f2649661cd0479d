/**
 * The ajv validator built from our CRDs (test/support/crd-validator.ts): what it accepts,
 * defaults and rejects, with messages naming the object and the field.
 */
import { describe, expect, it } from 'vitest';
import type { CustomResourceDefinitionObject } from '../../../charts-synth/crds/custom-resource-definition.ts';
import { agentSandboxCrd } from '../../../charts-synth/crds/custom-resource-definition.ts';
import { agentSandboxResourceValidator, createCustomResourceValidator, fieldPath, isAgentSandboxResource, toAjvSchema, validateCustomResource } from '../../support/crd-validator.ts';

const EXT = 'extensions.agents.x-k8s.io/v1beta1';
const UNKNOWN = 'unknown field (not in the schema; the API server would drop it)';

function sandbox(spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', metadata: { name: 'box', namespace: 'team-a' }, spec: { podTemplate: { spec: { containers: [{ name: 'main', image: 'busybox' }] } }, ...spec }, ...extra };
}
function template(spec: Record<string, unknown> = {}) {
  return { apiVersion: EXT, kind: 'SandboxTemplate', metadata: { name: 'claude-code', namespace: 'team-a' }, spec: { podTemplate: { spec: { containers: [{ name: 'main', image: 'busybox' }] } }, ...spec } };
}
function claim(spec: Record<string, unknown> = { warmPoolRef: { name: 'claude-code' } }) {
  return { apiVersion: EXT, kind: 'SandboxClaim', metadata: { name: 'session-1', namespace: 'team-a' }, spec };
}
function warmPool(spec: Record<string, unknown> = {}) {
  return { apiVersion: EXT, kind: 'SandboxWarmPool', metadata: { name: 'claude-code', namespace: 'team-a' }, spec: { sandboxTemplateRef: { name: 'claude-code' }, ...spec } };
}

describe('validateCustomResource: the required negative cases', () => {
  it('rejects a claim without warmPoolRef', () => {
    expect(validateCustomResource(claim({ lifecycle: { shutdownPolicy: 'Delete' } }))).toEqual(['SandboxClaim team-a/session-1: spec.warmPoolRef: required field is missing']);
  });

  it('rejects a warm pool with replicas -1', () => {
    expect(validateCustomResource(warmPool({ replicas: -1 }))).toEqual(['SandboxWarmPool team-a/claude-code: spec.replicas: must be >= 0 (got -1)']);
  });

  it('rejects a bad enum value, listing the allowed ones', () => {
    expect(validateCustomResource(warmPool({ updateStrategy: { type: 'Rolling' } }))).toEqual([
      'SandboxWarmPool team-a/claude-code: spec.updateStrategy.type: must be one of "Recreate", "OnReplenish" (got "Rolling")',
    ]);
    expect(validateCustomResource(template({ networkPolicyManagement: 'Off' }))).toEqual([
      'SandboxTemplate team-a/claude-code: spec.networkPolicyManagement: must be one of "Managed", "Unmanaged" (got "Off")',
    ]);
  });

  it('rejects an unknown spec field (a typo would otherwise be pruned silently)', () => {
    expect(validateCustomResource(sandbox({ shutdownPolicyy: 'Delete' }))).toEqual([`Sandbox team-a/box: spec.shutdownPolicyy: ${UNKNOWN}`]);
  });

  it('reports every problem at once: a v1alpha1-style claim', () => {
    expect(validateCustomResource(claim({ sandboxTemplateRef: { name: 'claude-code' }, lifecycle: { ttlSecondsAfterFinished: -5 } }))).toEqual([
      'SandboxClaim team-a/session-1: spec.lifecycle.ttlSecondsAfterFinished: must be >= 0 (got -5)',
      `SandboxClaim team-a/session-1: spec.sandboxTemplateRef: ${UNKNOWN}`,
      'SandboxClaim team-a/session-1: spec.warmPoolRef: required field is missing',
    ]);
  });
});

describe('validateCustomResource: accepted objects and defaults', () => {
  it('accepts minimal objects of every kind', () => {
    for (const object of [sandbox(), template(), claim(), warmPool()]) expect(validateCustomResource(object)).toEqual([]);
  });

  it('applies defaults as the API server would, on a copy', () => {
    const validator = agentSandboxResourceValidator();
    const pool = warmPool({ updateStrategy: {} });
    expect(validator.check(pool)).toEqual({ errors: [], defaulted: { ...pool, spec: { ...pool.spec, replicas: 1, updateStrategy: { type: 'OnReplenish' } } } });
    expect(pool.spec).toEqual({ sandboxTemplateRef: { name: 'claude-code' }, updateStrategy: {} });
    // nested defaults apply only when the parent exists, like the API server's
    expect(validator.check(warmPool()).defaulted).toMatchObject({ spec: { replicas: 1 } });
    expect((validator.check(warmPool()).defaulted as { spec: Record<string, unknown> }).spec.updateStrategy).toBeUndefined();
    expect(validator.check(template()).defaulted).toMatchObject({ spec: { envVarsInjectionPolicy: 'Disallowed', networkPolicyManagement: 'Managed', volumeClaimTemplatesPolicy: 'Disallowed' } });
    expect(validator.check(sandbox()).defaulted).toMatchObject({ spec: { operatingMode: 'Running', shutdownPolicy: 'Retain' } });
    expect(validator.check(claim({ warmPoolRef: { name: 'p' }, lifecycle: {} })).defaulted).toMatchObject({ spec: { lifecycle: { shutdownPolicy: 'Retain' } } });
  });

  it('accepts a full status of every kind (the controller writes these; none may be pruned)', () => {
    const condition = { type: 'Ready', status: 'True', reason: 'DependenciesReady', message: 'Pod is Ready', lastTransitionTime: '2026-01-02T03:04:05Z', observedGeneration: 2 };
    expect(validateCustomResource(sandbox({}, { status: { conditions: [condition], nodeName: 'node-1', podIPs: ['10.0.0.7'], selector: 'agents.x-k8s.io/sandbox-name-hash=abc', service: 'box', serviceFQDN: 'box.team-a.svc.cluster.local' } }))).toEqual([]);
    expect(validateCustomResource({ ...claim(), status: { conditions: [condition], sandbox: { name: 'claude-code-x7k2p', podIPs: ['10.0.0.8'] } } })).toEqual([]);
    expect(validateCustomResource({ ...warmPool(), status: { observedGeneration: 3, readyReplicas: 2, replicas: 2, selector: 'a=b' } })).toEqual([]);
  });

  it('leaves the PodSpec to the client-side check (ADR 0003) but enforces containers and unique names', () => {
    expect(validateCustomResource(sandbox({ podTemplate: { spec: { containers: [{ name: 'main', futureField: { x: 1 } }], runtimeClassName: 'gvisor' } } }))).toEqual([]);
    expect(validateCustomResource(sandbox({ podTemplate: { metadata: { labels: { app: 'x' } }, spec: { volumes: [] } } }))).toEqual(['Sandbox team-a/box: spec.podTemplate.spec.containers: required field is missing']);
    expect(validateCustomResource(sandbox({ podTemplate: { spec: { containers: [{ name: 'main' }, { image: 'x' }, { name: 'main', image: 'y' }] } } }))).toEqual([
      'Sandbox team-a/box: spec.podTemplate.spec.containers[1].name: required field is missing',
      'Sandbox team-a/box: spec.podTemplate.spec.containers[2]: duplicate key name="main" (first at [0])',
    ]);
    expect(validateCustomResource(sandbox({ podTemplate: { metadata: { label: {} }, spec: { containers: [{ name: 'a' }] } } }))).toEqual([`Sandbox team-a/box: spec.podTemplate.metadata.label: ${UNKNOWN}`]);
  });
});

describe('validateCustomResource: field-level checks', () => {
  it('checks PVC quantities (int or string with the Quantity pattern) and PVC spec fields', () => {
    const vct = (spec: Record<string, unknown>) => sandbox({ volumeClaimTemplates: [{ metadata: { name: 'workspace' }, spec }] });
    expect(validateCustomResource(vct({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' }, limits: { storage: 1073741824 } } }))).toEqual([]);
    const errors = validateCustomResource(vct({ resources: { requests: { storage: '10 GB' } }, storageClass: 'gp3', dataSource: { name: 'snap' } }));
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBe('Sandbox team-a/box: spec.volumeClaimTemplates[0].spec.dataSource.kind: required field is missing');
    expect(errors[1]).toMatch(/^Sandbox team-a\/box: spec\.volumeClaimTemplates\[0\]\.spec\.resources\.requests\.storage: must match pattern .* \(got "10 GB"\)$/);
    expect(errors[2]).toBe(`Sandbox team-a/box: spec.volumeClaimTemplates[0].spec.storageClass: ${UNKNOWN}`);
    expect(validateCustomResource(sandbox({ volumeClaimTemplates: [{ metadata: { name: 'w' } }] }))).toEqual(['Sandbox team-a/box: spec.volumeClaimTemplates[0].spec: required field is missing']);
  });

  it('checks network policy rules: int-or-string ports, int32 endPort, ipBlock.cidr required, label selectors', () => {
    const good = template({
      networkPolicy: {
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'paddock-system' } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['runtime'] }] } }], ports: [{ port: 'http' }] }],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 443, protocol: 'TCP' }, { port: 30000, endPort: 32767 }] }],
      },
    });
    expect(validateCustomResource(good)).toEqual([]);
    expect(validateCustomResource(template({ networkPolicy: { ingress: [], egress: [] } }))).toEqual([]);
    const bad = template({ networkPolicy: { egress: [{ to: [{ ipBlock: { except: [] } }], ports: [{ port: 1.5, endPort: 2 ** 31 }] }], ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app' }] } }] }] } });
    expect(validateCustomResource(bad)).toEqual([
      'SandboxTemplate team-a/claude-code: spec.networkPolicy.egress[0].ports[0].endPort: must match format "int32" (got 2147483648)',
      'SandboxTemplate team-a/claude-code: spec.networkPolicy.egress[0].ports[0].port: must be of type integer or string (got 1.5)',
      'SandboxTemplate team-a/claude-code: spec.networkPolicy.egress[0].to[0].ipBlock.cidr: required field is missing',
      'SandboxTemplate team-a/claude-code: spec.networkPolicy.ingress[0].from[0].podSelector.matchExpressions[0].operator: required field is missing',
    ]);
  });

  it('checks formats and types: date-time, int32 range, booleans, claim env literals', () => {
    expect(validateCustomResource(sandbox({ shutdownTime: '2026-12-31T23:59:59Z', service: true }))).toEqual([]);
    expect(validateCustomResource(sandbox({ shutdownTime: '31/12/2026', service: 'yes' }))).toEqual([
      'Sandbox team-a/box: spec.service: must be of type boolean (got "yes")',
      'Sandbox team-a/box: spec.shutdownTime: must match format "date-time" (got "31/12/2026")',
    ]);
    expect(validateCustomResource(warmPool({ replicas: 2 ** 31 }))).toEqual(['SandboxWarmPool team-a/claude-code: spec.replicas: must match format "int32" (got 2147483648)']);
    expect(validateCustomResource(warmPool({ replicas: '3' }))).toEqual(['SandboxWarmPool team-a/claude-code: spec.replicas: must be of type integer (got "3")']);
    expect(validateCustomResource(claim({ warmPoolRef: { name: 'p' }, env: [{ name: 'A', value: '1', containerName: 'main' }] }))).toEqual([]);
    expect(validateCustomResource(claim({ warmPoolRef: { name: 'p' }, env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }))).toEqual([
      'SandboxClaim team-a/session-1: spec.env[0].value: required field is missing',
      `SandboxClaim team-a/session-1: spec.env[0].valueFrom: ${UNKNOWN}`,
    ]);
  });

  it('checks status: condition enums and patterns, unknown status fields', () => {
    const condition = { type: 'Ready', status: 'Maybe', reason: 'not a reason', message: '', lastTransitionTime: '2026-01-02T03:04:05Z' };
    expect(validateCustomResource({ ...claim(), status: { conditions: [condition], sandboxName: 'x' } })).toEqual([
      'SandboxClaim team-a/session-1: status.conditions[0].reason: must match pattern "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$" (got "not a reason")',
      'SandboxClaim team-a/session-1: status.conditions[0].status: must be one of "True", "False", "Unknown" (got "Maybe")',
      `SandboxClaim team-a/session-1: status.sandboxName: ${UNKNOWN}`,
    ]);
  });

  it('checks metadata like the API server: a name, DNS names, string labels, no unknown fields', () => {
    expect(validateCustomResource({ ...warmPool(), metadata: { generateName: 'pool-', namespace: 'team-a' } })).toEqual([]);
    expect(validateCustomResource({ ...warmPool(), metadata: { namespace: 'team-a' } })).toEqual([
      'SandboxWarmPool team-a/<unnamed>: metadata.name: required field is missing (or set metadata.generateName)',
    ]);
    expect(validateCustomResource({ ...warmPool(), metadata: { name: 'Claude_Code', namespace: 'team-a', labels: { 'paddock.dev/warm': true }, lables: {} } })).toEqual([
      'SandboxWarmPool team-a/Claude_Code: metadata.labels["paddock.dev/warm"]: must be of type string (got true)',
      `SandboxWarmPool team-a/Claude_Code: metadata.lables: ${UNKNOWN}`,
      'SandboxWarmPool team-a/Claude_Code: metadata.name: must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" (got "Claude_Code")',
    ]);
    const { metadata: _dropped, ...withoutMetadata } = warmPool();
    expect(validateCustomResource(withoutMetadata)).toEqual(['SandboxWarmPool <unnamed>: metadata: required field is missing']);
    expect(validateCustomResource({ ...warmPool(), spec: undefined })).toEqual(['SandboxWarmPool team-a/claude-code: spec: required field is missing']);
  });

  it('names unknown kinds, unserved versions and non-objects', () => {
    expect(validateCustomResource({ apiVersion: 'agents.x-k8s.io/v1alpha1', kind: 'Sandbox', metadata: { name: 'a' }, spec: {} })).toEqual([
      'Sandbox a: apiVersion agents.x-k8s.io/v1alpha1 is not served for Sandbox (served: agents.x-k8s.io/v1beta1)',
    ]);
    expect(validateCustomResource({ apiVersion: EXT, kind: 'SandboxRouter', metadata: { name: 'r' }, spec: {} })[0]).toMatch(
      /^SandboxRouter r: no CustomResourceDefinition for apiVersion extensions\.agents\.x-k8s\.io\/v1beta1 kind SandboxRouter \(known: agents\.x-k8s\.io\/v1beta1 Sandbox; .*SandboxWarmPool\)$/,
    );
    expect(validateCustomResource({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })[0]).toMatch(/^ConfigMap c: no CustomResourceDefinition for apiVersion v1 kind ConfigMap/);
    expect(validateCustomResource({ kind: 'Sandbox', metadata: { name: 'a' } })).toEqual(['Sandbox a: apiVersion and kind must be strings']);
    expect(validateCustomResource(['x'])).toEqual(['<root>: a custom resource must be an object (got ["x"])']);
  });

  it('tells which objects it handles', () => {
    expect(agentSandboxResourceValidator().kinds).toEqual([
      'agents.x-k8s.io/v1beta1 Sandbox',
      'extensions.agents.x-k8s.io/v1beta1 SandboxClaim',
      'extensions.agents.x-k8s.io/v1beta1 SandboxTemplate',
      'extensions.agents.x-k8s.io/v1beta1 SandboxWarmPool',
    ]);
    expect(isAgentSandboxResource(claim())).toBe(true);
    expect(isAgentSandboxResource({ apiVersion: 'apps/v1', kind: 'Deployment' })).toBe(false);
  });
});

describe('structural schema → ajv conversion', () => {
  const widget: CustomResourceDefinitionObject = agentSandboxCrd({
    group: 'example.paddock.dev',
    names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' },
    spec: {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1 },
        note: { type: 'string', nullable: true },
        mode: { type: 'string', enum: ['a', 'b'], nullable: true },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        ports: {
          type: 'array',
          items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } }, required: ['port'] },
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port', 'protocol'],
        },
      },
    },
  });
  const validator = createCustomResourceValidator([widget]);
  const object = (spec: Record<string, unknown>) => ({ apiVersion: 'example.paddock.dev/v1beta1', kind: 'Widget', metadata: { name: 'w' }, spec });

  it('handles set and multi-key map lists (defaulted keys included), nullable, exclusive bounds, preserved objects', () => {
    expect(validator.check(object({ tags: ['a', 'b'], ratio: 1, note: null, mode: null, extra: { any: { thing: 1 } }, ports: [{ port: 53 }, { port: 53, protocol: 'UDP' }] })).errors).toEqual([]);
    expect(validator.check(object({ tags: ['a', 'a'], ratio: 0, ports: [{ port: 53 }, { port: 53, protocol: 'TCP' }] })).errors).toEqual([
      'Widget w: spec.ports[1]: duplicate key port=53, protocol="TCP" (first at [0])',
      'Widget w: spec.ratio: must be > 0 (got 0)',
      'Widget w: spec.tags[1]: duplicate value "a" (first at [0])',
    ]);
  });

  it('requires apiVersion and kind in an embedded resource', () => {
    expect(validator.check(object({ embedded: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} } })).errors).toEqual([]);
    expect(validator.check(object({ embedded: { kind: '', metadata: 'c' } })).errors).toEqual([
      'Widget w: spec.embedded.apiVersion: an embedded resource needs a non-empty apiVersion',
      'Widget w: spec.embedded.kind: an embedded resource needs a non-empty kind',
      'Widget w: spec.embedded.metadata: must be an object',
    ]);
  });

  it('refuses keywords a structural schema may not use, naming where', () => {
    expect(() => toAjvSchema({ type: 'object', properties: { a: { $ref: '#/definitions/x' } as never } })).toThrow('<root>.a: keyword "$ref" is not supported in a structural schema');
  });

  it('closes objects with properties unless they preserve unknown fields', () => {
    expect(toAjvSchema({ type: 'object', properties: { a: { type: 'string' } } }).additionalProperties).toBe(false);
    expect(toAjvSchema({ type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true }).additionalProperties).toBeUndefined();
    expect(toAjvSchema({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true })).toEqual({ type: ['integer', 'string'], 'x-kubernetes-int-or-string': true });
  });

  it('renders field paths readably', () => {
    expect(fieldPath('/spec/volumeClaimTemplates/0/metadata/labels/app.kubernetes.io~1name')).toBe('spec.volumeClaimTemplates[0].metadata.labels["app.kubernetes.io/name"]');
    expect(fieldPath('', 'spec')).toBe('spec');
    expect(fieldPath('')).toBe('<root>');
  });
});
