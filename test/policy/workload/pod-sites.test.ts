import { describe, expect, it } from 'vitest';
import { containersOf, podSiteOf } from '../../../policy/workload/pod-sites.ts';
import { sandboxTemplate, workload } from '../fixtures/stack.ts';

describe('podSiteOf', () => {
  it.each([
    ['Deployment', 'spec.template.spec', true, 1],
    ['StatefulSet', 'spec.template.spec', true, 1],
    ['DaemonSet', 'spec.template.spec', true, undefined],
    ['Job', 'spec.template.spec', false, undefined],
    ['CronJob', 'spec.jobTemplate.spec.template.spec', false, undefined],
    ['Pod', 'spec', true, undefined],
    ['Sandbox', 'spec.podTemplate.spec', true, undefined],
  ] as const)('finds the pod spec of a %s', (kind, specPath, longRunning, replicas) => {
    const site = podSiteOf(workload(kind, 'ns', 'w'))!;
    expect(site.specPath).toBe(specPath);
    expect(site.longRunning).toBe(longRunning);
    expect(site.replicas).toBe(replicas);
    expect(site.labels).toEqual({ 'app.kubernetes.io/name': 'w' });
  });

  it('reads SandboxTemplates and ignores kinds without pods, or CRDs reusing a kind name', () => {
    expect(podSiteOf(sandboxTemplate('alpha', 'codex'))!.specPath).toBe('spec.podTemplate.spec');
    expect(podSiteOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toBeUndefined();
    expect(podSiteOf({ ...workload('Deployment', 'ns', 'w'), apiVersion: 'example.com/v1' })).toBeUndefined();
  });

  it('lists init containers (sidecars marked) before containers', () => {
    const object = workload('Deployment', 'ns', 'w');
    const spec = (object.spec as { template: { spec: { initContainers?: unknown[] } } }).template.spec;
    spec.initContainers = [{ name: 'init' }, { name: 'sidecar', restartPolicy: 'Always' }];
    expect(containersOf(podSiteOf(object)!).map((c) => [c.container.name, c.path, c.init, c.sidecar])).toEqual([
      ['init', 'spec.template.spec.initContainers[0]', true, false],
      ['sidecar', 'spec.template.spec.initContainers[1]', true, true],
      ['w', 'spec.template.spec.containers[0]', false, false],
    ]);
  });
});
