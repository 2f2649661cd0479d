import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import type { SynthesizedChart } from '../../../charts-synth/synthesized-chart.ts';
import { synthesizeStack } from '../../../charts-synth/synthesize.ts';
import { keyOf, planApply, secretKey, type ApplyStep } from '../../../infra/kubernetes/apply-plan.ts';
import { SHIPPED_STACKS, shippedSpec } from '../../support/fixtures.ts';

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const cm = (namespace: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
const crd = (group: string, kind: string, plural: string): KubeObject => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${group}` }, spec: { group, names: { kind, plural } } });
const chart = (name: string, wave: number, objects: KubeObject[]): SynthesizedChart => ({ name, file: `${name}.k8s.yaml`, wave, objects });

function byKey(steps: ApplyStep[]): Map<string, ApplyStep> {
  return new Map(steps.map((s) => [s.key, s]));
}

/** Everything a step waits for, directly or through what it waits for. */
function ancestors(steps: ApplyStep[], key: string): Set<string> {
  const index = byKey(steps);
  const seen = new Set<string>();
  const stack = [...index.get(key)!.after];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...index.get(next)!.after);
  }
  return seen;
}

describe.each(SHIPPED_STACKS)('planApply on stack %s', (stack) => {
  const charts = synthesizeStack(shippedSpec(stack));
  const spec = shippedSpec(stack);
  const secrets = [{ namespace: 'paddock-system', name: 'paddock-database' }, ...spec.teams.map((t) => ({ namespace: t.namespace, name: 'paddock-team-secrets' }))];
  const steps = planApply(charts, secrets);

  it('has every object and secret once, each waiting only on earlier steps', () => {
    expect(steps).toHaveLength(charts.reduce((n, c) => n + c.objects.length, 0) + secrets.length);
    const seen = new Set<string>();
    for (const step of steps) {
      for (const dep of step.after) expect(seen.has(dep), `${step.key} waits for ${dep}, which comes later`).toBe(true);
      seen.add(step.key);
    }
  });

  it('applies every wave after the whole previous wave', () => {
    const waves = [...new Set(charts.map((c) => c.wave))].sort((a, b) => a - b);
    for (const step of steps) {
      const earlier = waves.filter((w) => w < step.wave);
      if (earlier.length === 0) continue;
      const previous = steps.filter((s) => s.wave === earlier.at(-1));
      const waitsFor = ancestors(steps, step.key);
      for (const p of previous) expect(waitsFor.has(p.key), `${step.key} does not wait for ${p.key}`).toBe(true);
    }
  });

  it('applies custom resources after their CRDs, and a namespace\'s Secrets before its other objects', () => {
    for (const step of steps.filter((s) => s.type === 'object' && s.object.apiVersion.startsWith('extensions.agents.x-k8s.io/'))) {
      expect([...ancestors(steps, step.key)].some((k) => k.startsWith('apiextensions.k8s.io/v1/CustomResourceDefinition:'))).toBe(true);
    }
    for (const secret of secrets) {
      const key = secretKey(secret);
      expect(byKey(steps).get(key)!.after).toEqual([keyOf(ns(secret.namespace))]);
      for (const step of steps.filter((s) => s.type === 'object' && s.object.metadata.namespace === secret.namespace)) {
        expect(step.after, step.key).toContain(key);
      }
    }
  });
});

describe('planApply errors', () => {
  it('refuses an object in a namespace only a later wave creates', () => {
    expect(() => planApply([chart('early', 0, [cm('later', 'x')]), chart('late', 1, [ns('later')])], [])).toThrow('ConfigMap later/x (chart early, wave 0) is in namespace "later", which chart late creates only in wave 1');
  });

  it('refuses a custom resource applied before its CRD', () => {
    const widget: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(() => planApply([chart('a', 0, [widget]), chart('b', 1, [crd('example.com', 'Widget', 'widgets')])], [])).toThrow('Widget w (wave 0) needs its CustomResourceDefinition, which is applied only in wave 1');
  });

  it('refuses duplicates, and Secrets for namespaces no chart creates or that a chart renders', () => {
    expect(() => planApply([chart('a', 0, [ns('x')]), chart('b', 1, [ns('x')])], [])).toThrow('Namespace x is defined twice (chart b)');
    expect(() => planApply([chart('a', 0, [ns('x')])], [{ namespace: 'y', name: 's' }])).toThrow('Secret y/s: no chart creates the namespace "y"');
    const rendered: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'x' } };
    expect(() => planApply([chart('a', 0, [ns('x'), rendered])], [{ namespace: 'x', name: 's' }])).toThrow('Secret x/s is both rendered by a chart and created by the program');
  });

  it('lets objects use namespaces that exist outside the charts (kube-system)', () => {
    expect(planApply([chart('a', 0, [cm('kube-system', 'x')])], [])[0]!.after).toEqual([]);
  });
});

describe.each(SHIPPED_STACKS)('team bundles before the runtime on stack %s', (stack) => {
  it('applies each team\'s namespace, RoleBinding, templates and warm pools before the runtime config that names the team', () => {
    const spec = shippedSpec(stack);
    const steps = planApply(synthesizeStack(spec), []);
    const runtimeConfig = ancestors(steps, 'v1/ConfigMap:paddock-system/paddock-runtime-config');
    for (const team of spec.teams) {
      const bundle = steps.filter((s) => s.chart === `team-${team.name}`).map((s) => s.key);
      expect(bundle).toContain(`rbac.authorization.k8s.io/v1/RoleBinding:${team.namespace}/paddock-runtime`);
      for (const key of bundle) expect(runtimeConfig.has(key), `the runtime config waits for ${key}`).toBe(true);
    }
  });
});

describe('readiness dependencies of the shipped kind stack', () => {
  it('applies the runtime Deployment only after Postgres, since Pulumi waits for it to be ready and its /readyz needs the database', () => {
    const steps = planApply(synthesizeStack(shippedSpec('local')), []);
    const runtime = steps.find((s) => s.key === 'apps/v1/Deployment:paddock-system/paddock-runtime')!;
    expect(ancestors(steps, runtime.key).has('apps/v1/StatefulSet:paddock-system/paddock-postgres')).toBe(true);
  });
});

describe('program-made objects (the runtime pods\' SecurityGroupPolicy)', () => {
  const sgp = { apiVersion: 'vpcresources.k8s.aws/v1beta1', kind: 'SecurityGroupPolicy', namespace: 'x', name: 'p' };

  it('comes right after its namespace, and everything else in the namespace waits for it', () => {
    const steps = planApply([chart('a', 0, [ns('x')]), chart('b', 1, [cm('x', 'app')])], [], [sgp]);
    const key = 'vpcresources.k8s.aws/v1beta1/SecurityGroupPolicy:x/p';
    expect(steps.map((s) => s.key)).toEqual(['v1/Namespace:x', key, 'v1/ConfigMap:x/app']);
    expect(steps[1]).toMatchObject({ type: 'program', after: ['v1/Namespace:x'] });
    expect(ancestors(steps, 'v1/ConfigMap:x/app').has(key)).toBe(true);
  });

  it('is refused for a namespace no chart creates', () => {
    expect(() => planApply([chart('a', 0, [ns('x')])], [], [{ ...sgp, namespace: 'y' }])).toThrow('SecurityGroupPolicy y/p: no chart creates the namespace "y"');
  });
});
