/** Assertions both shipped stacks must pass. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { keyOf } from '../../../infra/kubernetes/apply-plan.ts';
import { MANAGED_SECRET_ANNOTATION, PROGRAM_OBJECT_ANNOTATION } from '../../../infra/kubernetes/synthesized-charts.ts';
import { isSecretValue, MOCK_SECRET_MARKER } from '../../../infra/plan/mocks.ts';
import type { PlannedResource } from '../../../infra/plan/offline-plan.ts';
import { FIXTURE_DOTENV_SECRET, FIXTURE_GATEWAY_SECRET_PREFIX, FIXTURE_TEAM_SECRET_PREFIX, MANIFESTS_DIR, type ProgramRun } from './program-run.ts';

/** The chart-owned Kubernetes resources of a run, minus the Secrets the program makes itself. */
export function appliedObjects(run: ProgramRun): PlannedResource[] {
  return run.plan.resources.filter(
    (r) => {
      const annotations = (r.inputs.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
      return r.parent?.type === 'paddock:kubernetes:Chart' && r.custom && !annotations[MANAGED_SECRET_ANNOTATION] && !annotations[PROGRAM_OBJECT_ANNOTATION];
    },
  );
}

function unwrapSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  return value;
}

export function expectAppliedObjectsMatchManifests(run: ProgramRun, stack: string): void {
  const dir = join(MANIFESTS_DIR, stack);
  expect(existsSync(dir), `${dir}/ is missing: run \`npm run synth\``).toBe(true);
  const committed = new Map<string, { chart: string; object: KubeObject }>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const object = doc.toJS() as KubeObject | null;
      if (object) committed.set(keyOf(object), { chart: file.replace(/\.k8s\.yaml$/, ''), object });
    }
  }
  const applied = new Map(appliedObjects(run).map((r) => [keyOf(r.inputs as unknown as KubeObject), r]));
  expect([...applied.keys()].sort()).toEqual([...committed.keys()].sort());
  for (const [key, { chart, object }] of committed) {
    const resource = applied.get(key)!;
    expect(resource.parent?.name, key).toBe(chart);
    expect(resource.provider, `${key} must go through the cluster's provider`).toMatch(/[$:]pulumi:providers:kubernetes::(kind|eks)::/);
    expect(unwrapSecrets(resource.inputs), key).toEqual(object);
  }
}

/** Every string in a value that is not inside a Pulumi secret. */
function plainStrings(value: unknown, out: string[] = []): string[] {
  if (isSecretValue(value)) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) plainStrings(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) plainStrings(v, out);
  return out;
}

export function expectNoSecretOutsideSecrets(run: ProgramRun): void {
  const needles = [FIXTURE_DOTENV_SECRET, FIXTURE_TEAM_SECRET_PREFIX, FIXTURE_GATEWAY_SECRET_PREFIX, MOCK_SECRET_MARKER];
  for (const resource of run.plan.resources) {
    for (const text of plainStrings(resource.inputs)) {
      for (const needle of needles) expect(text.includes(needle), `${resource.type} ${resource.name} has a secret value in a plain input`).toBe(false);
    }
  }
  for (const output of run.plan.outputs.filter((o) => !o.secret)) {
    const text = JSON.stringify(output.value);
    for (const needle of needles) expect(text.includes(needle), `output ${output.name} is not secret but holds a secret value`).toBe(false);
  }
}
