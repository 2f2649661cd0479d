import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { describe, expect, it } from 'vitest';
import { PlatformChart } from '../../../charts-synth/platform-chart.ts';
import { jsonPointerToken, selectPodsByLabels } from '../../../charts-synth/workloads/select-by-labels.ts';

type Json = Record<string, any>;

function chart(): PlatformChart {
  return new PlatformChart(new App({ outdir: 'unused', recordConstructMetadata: false }), 'test');
}

const container = { name: 'app', image: 'registry.example.com/app:1.0.0', resources: {} };
const labels = { 'app.kubernetes.io/name': 'app', tier: 'web' };

describe('selectPodsByLabels', () => {
  it('selects a Deployment by the given labels only, and leaves no construct-path label on its pods', () => {
    const c = chart();
    const deployment = new kplus.Deployment(c, 'd', { metadata: { name: 'app', namespace: 'ns' }, select: false, podMetadata: { labels }, containers: [container] });
    selectPodsByLabels(deployment, { 'app.kubernetes.io/name': 'app' });
    const [rendered] = c.toJson() as Json[];
    expect(rendered!.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'app' } });
    expect(rendered!.spec.template.metadata.labels).toEqual(labels);
    expect(JSON.stringify(rendered)).not.toContain('cdk8s.io');
  });

  it("also makes a StatefulSet's Service select by the labels, not by the pods' address", () => {
    const c = chart();
    const service = new kplus.Service(c, 's', { metadata: { name: 'db', namespace: 'ns' }, ports: [{ port: 5432 }] });
    const statefulSet = new kplus.StatefulSet(c, 'ss', { metadata: { name: 'db', namespace: 'ns' }, select: false, service, podMetadata: { labels }, containers: [container] });
    selectPodsByLabels(statefulSet, labels);
    const rendered = c.toJson() as Json[];
    const svc = rendered.find((o) => o.kind === 'Service')!;
    const sts = rendered.find((o) => o.kind === 'StatefulSet')!;
    expect(svc.spec.selector).toEqual(labels);
    expect(sts.spec.selector).toEqual({ matchLabels: labels });
    expect(sts.spec.serviceName).toBe('db');
    expect(JSON.stringify(rendered)).not.toContain('cdk8s.io');
  });

  it('refuses a workload built without select: false', () => {
    const deployment = new kplus.Deployment(chart(), 'd', { metadata: { name: 'app', namespace: 'ns' }, podMetadata: { labels }, containers: [container] });
    expect(() => selectPodsByLabels(deployment, labels)).toThrow('Deployment ns/app: build it with select: false; it selects by cdk8s.io/metadata.addr');
  });

  it('refuses labels the pod template does not carry, and an empty selector', () => {
    const c = chart();
    const deployment = new kplus.Deployment(c, 'd', { metadata: { name: 'app', namespace: 'ns' }, select: false, podMetadata: { labels }, containers: [container] });
    expect(() => selectPodsByLabels(deployment, { tier: 'db' })).toThrow('Deployment ns/app: selects tier=db, but its pod template has tier=web');
    expect(() => selectPodsByLabels(deployment, { other: 'x' })).toThrow('Deployment ns/app: selects other=x, but its pod template has no such label');
    expect(() => selectPodsByLabels(deployment, {})).toThrow('Deployment ns/app: needs at least one selector label');
  });

  it('escapes JSON pointer tokens (RFC 6901)', () => {
    expect(jsonPointerToken('cdk8s.io/metadata.addr')).toBe('cdk8s.io~1metadata.addr');
    expect(jsonPointerToken('a~b/c')).toBe('a~0b~1c');
  });
});
