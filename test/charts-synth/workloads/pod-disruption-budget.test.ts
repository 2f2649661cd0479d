import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { describe, expect, it } from 'vitest';
import { PlatformChart } from '../../../charts-synth/platform-chart.ts';
import { addPodDisruptionBudget } from '../../../charts-synth/workloads/pod-disruption-budget.ts';
import { selectPodsByLabels } from '../../../charts-synth/workloads/select-by-labels.ts';

type Json = Record<string, any>;

function deployment(c: PlatformChart): kplus.Deployment {
  return new kplus.Deployment(c, 'd', {
    metadata: { name: 'app', namespace: 'ns' }, select: false, podMetadata: { labels: { app: 'x', l: 'v' } },
    containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', resources: {} }],
  });
}

function chart(): PlatformChart {
  return new PlatformChart(new App({ outdir: 'unused', recordConstructMetadata: false }), 'test');
}

describe('addPodDisruptionBudget', () => {
  it("covers exactly the pods the workload selects, with the workload's name and namespace", () => {
    const c = chart();
    const d = deployment(c);
    selectPodsByLabels(d, { app: 'x' });
    addPodDisruptionBudget(d, { l: 'v' }, { minAvailable: 2 });
    const pdb = (c.toJson() as Json[]).find((o) => o.kind === 'PodDisruptionBudget')!;
    expect(pdb).toEqual({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'app', namespace: 'ns', labels: { l: 'v' } }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'x' } } } });
    expect(() => new PodDisruptionBudget(pdb as never).validate()).not.toThrow();
  });

  it('takes maxUnavailable instead', () => {
    const c = chart();
    const d = deployment(c);
    selectPodsByLabels(d, { app: 'x' });
    addPodDisruptionBudget(d, {}, { maxUnavailable: 1 });
    expect((c.toJson() as Json[]).find((o) => o.kind === 'PodDisruptionBudget')!.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: 'x' } } });
  });

  it('refuses a workload not yet selecting by labels, and a negative or fractional count', () => {
    const c = chart();
    const d = deployment(c);
    expect(() => addPodDisruptionBudget(d, {}, { minAvailable: 1 })).toThrow("PodDisruptionBudget ns/app: select the Deployment's pods by labels first (selectPodsByLabels)");
    selectPodsByLabels(d, { app: 'x' });
    expect(() => addPodDisruptionBudget(d, {}, { minAvailable: -1 })).toThrow('PodDisruptionBudget ns/app: minAvailable must be a whole number >= 0, got -1');
    expect(() => addPodDisruptionBudget(d, {}, { maxUnavailable: 0.5 })).toThrow('PodDisruptionBudget ns/app: maxUnavailable must be a whole number >= 0, got 0.5');
  });
});
