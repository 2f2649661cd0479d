/**
 * The monitoring chart (ADR 0027): rendered only when enabled; its PodMonitor and PrometheusRule
 * valid against the Prometheus operator's own CRD schemas (v0.93.0, test/support/
 * prometheus-operator-crds/); the PodMonitor scrapes the runtime pods' named port; the chart is
 * policy-clean; the dashboard is a ConfigMap Grafana's sidecar picks up.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_CONFIG_MAP, monitoringObjects } from '../../../charts-synth/charts/monitoring.ts';
import type { CustomResourceDefinitionObject } from '../../../charts-synth/crds/custom-resource-definition.ts';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { stackObjects, synthesizeStack } from '../../../charts-synth/synthesize.ts';
import { checkManifests, policyOptionsForSpec } from '../../../policy/index.ts';
import { createCustomResourceValidator } from '../../support/crd-validator.ts';
import { minimalKindConfig, shippedSpec, validate } from '../../support/fixtures.ts';

type Json = Record<string, any>;
const CRD_DIR = 'test/support/prometheus-operator-crds';
const crds = ['monitoring.coreos.com_podmonitors.yaml', 'monitoring.coreos.com_prometheusrules.yaml'].flatMap((file) =>
  parseAllDocuments(readFileSync(`${CRD_DIR}/${file}`, 'utf8')).map((d) => goPatternsToJs(d.toJS()) as CustomResourceDefinitionObject).filter((d) => d?.kind === 'CustomResourceDefinition'),
);

/**
 * The CRDs' patterns are Go (RE2) regular expressions; the one RE2 form in these two that
 * JavaScript lacks is a leading `(?i)`, written here as letter classes ([aA]) instead.
 */
function goPatternsToJs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(goPatternsToJs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => {
    if (key === 'pattern' && typeof value === 'string' && value.includes('(?i)')) {
      return [key, value.replace('(?i)', '').replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)];
    }
    return [key, goPatternsToJs(value)];
  }));
}
const prod = shippedSpec('prod');
const objects = monitoringObjects(prod);
const find = (kind: string): Json => {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind}`);
  return found as Json;
};

describe('monitoring chart', () => {
  it('is rendered only with platform.monitoring.enabled (the prod stack sets it), after the runtime', () => {
    expect(prod.platform.monitoring.enabled).toBe(true);
    expect(monitoringObjects(shippedSpec('local'))).toEqual([]);
    expect(synthesizeStack(validate(minimalKindConfig())).map((c) => c.name)).not.toContain('monitoring');
    const charts = synthesizeStack(prod);
    expect(charts.find((c) => c.name === 'monitoring')!.wave).toBeGreaterThan(charts.find((c) => c.name === 'runtime')!.wave);
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(['ConfigMap paddock-system/paddock-grafana-dashboard', 'PodMonitor paddock-system/paddock-runtime', 'PrometheusRule paddock-system/paddock-runtime']);
  });

  it('validates against the Prometheus operator\'s CRD schemas (PodMonitor, PrometheusRule)', () => {
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual(['PodMonitor', 'PrometheusRule']);
    const validator = createCustomResourceValidator(crds);
    expect(goPatternsToJs({ pattern: '^(?i)(abort|warn)?$' })).toEqual({ pattern: '^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$' });
    for (const kind of ['PodMonitor', 'PrometheusRule']) expect(validator.check(find(kind)).errors, kind).toEqual([]);
    // the validator does catch a wrong shape
    const broken = structuredClone(find('PrometheusRule'));
    broken.spec.groups[0].rules[0].for = 5;
    broken.spec.groups[0].rules[0].severity = 'critical';
    expect(validator.check(broken).errors.join('\n')).toMatch(/for/);
    expect(validator.check(broken).errors.join('\n')).toMatch(/severity/);
  });

  it('scrapes the runtime pods by their selector labels and named port, on /metrics', () => {
    const deployment = stackObjects(synthesizeStack(prod)).find((o) => o.kind === 'Deployment' && o.metadata.name === 'paddock-runtime') as Json;
    const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
    const monitor = find('PodMonitor');
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels as Record<string, string>)) expect(podLabels[k], k).toBe(v);
    const portNames = (deployment.spec.template.spec.containers as Json[]).flatMap((c) => (c.ports ?? []).map((p: Json) => p.name));
    expect(portNames).toContain(monitor.spec.podMetricsEndpoints[0].port);
    expect(monitor.spec.podMetricsEndpoints[0]).toMatchObject({ path: '/metrics', scheme: 'http' });
    // the operator selects by the stack's labels
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(find('PrometheusRule').metadata.labels.release).toBe('kube-prometheus-stack');
  });

  it('labels the dashboard ConfigMap for Grafana\'s sidecar, in the configured namespace', () => {
    const configMap = find('ConfigMap');
    expect(configMap.metadata.name).toBe(DASHBOARD_CONFIG_MAP);
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    expect(Object.keys(configMap.data)).toEqual(['paddock-runtime.json']);
    const elsewhere = validate({ ...minimalKindConfig(), 'paddock:platform': { ...(minimalKindConfig()['paddock:platform'] as Json), monitoring: { enabled: true, grafanaNamespace: 'monitoring' } } });
    expect(monitoringObjects(elsewhere).find((o) => o.kind === 'ConfigMap')!.metadata.namespace).toBe('monitoring');
  });

  it('is policy-clean with the rest of the stack', () => {
    const all: KubeObject[] = stackObjects(synthesizeStack(prod));
    expect(all.some((o) => o.kind === 'PrometheusRule')).toBe(true);
    expect(checkManifests(all, policyOptionsForSpec(prod))).toEqual([]);
  });
});
