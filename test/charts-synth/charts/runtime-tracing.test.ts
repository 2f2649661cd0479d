/** runtime.tracing (ADR 0026): the runtime's OTEL_* and its one egress rule to the collector, validated first. */
import { describe, expect, it } from 'vitest';
import { collectorPort, runtimeControllerObjects } from '../../../charts-synth/charts/runtime-controller.ts';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { synthesizeStack } from '../../../charts-synth/synthesize.ts';
import { platformSchema } from '../../../config/schema.ts';
import { checkManifests, formatViolation } from '../../../policy/check-manifests.ts';
import { policyOptionsForSpec } from '../../../policy/options.ts';
import type { PlatformSpec, TracingSpec } from '../../../config/platform-spec.ts';
import { shippedSpec } from '../../support/fixtures.ts';

type Json = Record<string, any>;
const find = (objects: KubeObject[], kind: string, name: string): Json => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as Json;
};
const withTracing = (spec: PlatformSpec, tracing: TracingSpec): PlatformSpec => ({ ...spec, platform: { ...spec.platform, runtime: { ...spec.platform.runtime, tracing } } });
const tracing: TracingSpec = { endpoint: 'http://otel-collector.monitoring:4318', collectorNamespace: 'monitoring', collectorPodLabels: { 'app.kubernetes.io/name': 'otel-collector' }, sampleRatio: 0.25 };

describe('runtime tracing', () => {
  it('is off by default: no OTEL_* variable and no egress beyond the usual', () => {
    const objects = runtimeControllerObjects(shippedSpec('prod'));
    const env = find(objects, 'Deployment', 'paddock-runtime').spec.template.spec.containers[0].env as Json[];
    expect(env.filter((e) => e.name.startsWith('OTEL_'))).toEqual([]);
    expect(JSON.stringify(find(objects, 'NetworkPolicy', 'paddock-runtime'))).not.toContain('monitoring');
  });

  it('sets the standard OTEL_* variables and lets the runtime reach the collector pods on the endpoint port only', () => {
    const spec = withTracing(shippedSpec('prod'), tracing);
    const objects = runtimeControllerObjects(spec);
    const env = find(objects, 'Deployment', 'paddock-runtime').spec.template.spec.containers[0].env as Json[];
    expect(Object.fromEntries(env.filter((e) => e.name.startsWith('OTEL_')).map((e) => [e.name, e.value]))).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.monitoring:4318',
      OTEL_SERVICE_NAME: 'paddock-runtime',
      OTEL_RESOURCE_ATTRIBUTES: `paddock.stack=${spec.stack}`,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    const egress = find(objects, 'NetworkPolicy', 'paddock-runtime').spec.egress as Json[];
    expect(egress.at(-1)).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'otel-collector' } } }],
      ports: [{ port: 4318, protocol: 'TCP' }],
    });
    expect(egress).toHaveLength(find(runtimeControllerObjects(shippedSpec('prod')), 'NetworkPolicy', 'paddock-runtime').spec.egress.length + 1);
  });

  it('keeps the whole stack policy-clean with tracing on', () => {
    for (const stack of ['local', 'prod'] as const) {
      const spec = withTracing(shippedSpec(stack), tracing);
      const objects = synthesizeStack(spec).flatMap((c) => c.objects);
      expect(checkManifests(objects, policyOptionsForSpec(spec)).map(formatViolation), stack).toEqual([]);
    }
  });

  it('takes the port from the URL, or its scheme', () => {
    expect(collectorPort('http://c:4318')).toBe(4318);
    expect(collectorPort('https://collector.example.com/otlp')).toBe(443);
    expect(collectorPort('http://c')).toBe(80);
  });

  it('refuses a config it cannot honour, saying which field and why', () => {
    const parse = (t: unknown) => platformSchema.safeParse({ environment: 'kind', clusterName: 'c', modelGateway: { url: 'http://gateway.example:4000', cidrs: ['10.9.0.0/16'] }, runtime: { tracing: t } });
    const problems = (t: unknown) => {
      const result = parse(t);
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems({ endpoint: 'grpc://c:4317', collectorNamespace: 'monitoring', collectorPodLabels: { app: 'otel' } }).join('\n')).toMatch(/runtime\.tracing\.endpoint: "grpc:\/\/c:4317" is not an http\(s\) URL/);
    expect(problems({ endpoint: 'http://c:4318', collectorNamespace: 'monitoring', collectorPodLabels: {} }).join('\n')).toMatch(/runtime\.tracing\.collectorPodLabels: needs at least one label/);
    expect(problems({ endpoint: 'http://c:4318', collectorNamespace: 'Monitoring', collectorPodLabels: { app: 'otel' }, sampleRatio: 2 }).join('\n')).toMatch(/runtime\.tracing\.collectorNamespace[\s\S]*runtime\.tracing\.sampleRatio/);
    const ok = parse({ endpoint: 'http://c:4318', collectorNamespace: 'monitoring', collectorPodLabels: { app: 'otel' } });
    expect(ok.success && ok.data.runtime.tracing).toEqual({ endpoint: 'http://c:4318', collectorNamespace: 'monitoring', collectorPodLabels: { app: 'otel' }, sampleRatio: 1 });
  });
});
