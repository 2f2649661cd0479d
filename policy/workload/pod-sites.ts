/**
 * Where pod specs live in the kinds we render: workload controllers, bare Pods, and the
 * agent-sandbox Sandbox and SandboxTemplate (spec.podTemplate.spec). Pod rules read every
 * pod spec through this one place, so a new workload kind is added once.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { KubeObject } from '../../charts-synth/kube-object.ts';
import { isKind, KINDS, type KindRef } from '../kinds.ts';
import type { Labels } from '../network/label-selector.ts';

export interface PodSite {
  readonly object: KubeObject;
  readonly namespace: string;
  /** path of the PodSpec in the object, e.g. "spec.template.spec" */
  readonly specPath: string;
  readonly spec: IPodSpec;
  /** the pod template's labels as written */
  readonly labels: Labels;
  /** runs until told to stop (controllers, sandboxes), as opposed to run-to-completion Jobs */
  readonly longRunning: boolean;
  /** desired replicas of a replicated controller (default 1); undefined for other kinds */
  readonly replicas?: number;
}

export interface ContainerSite {
  readonly container: IContainer;
  /** e.g. "spec.template.spec.initContainers[0]" */
  readonly path: string;
  readonly init: boolean;
  /** an init container with restartPolicy Always: a sidecar that runs as long as the pod */
  readonly sidecar: boolean;
}

interface PodTemplateLike {
  metadata?: { labels?: Record<string, string> };
  spec?: IPodSpec;
}

interface Layout {
  readonly kind: KindRef;
  /** path from the object to the pod template ({metadata, spec}); '' for a Pod itself */
  readonly templatePath: readonly string[];
  readonly longRunning: (spec: IPodSpec) => boolean;
  readonly replicated: boolean;
}

const always = () => true;
const never = () => false;

const LAYOUTS: readonly Layout[] = [
  { kind: KINDS.Deployment, templatePath: ['spec', 'template'], longRunning: always, replicated: true },
  { kind: KINDS.StatefulSet, templatePath: ['spec', 'template'], longRunning: always, replicated: true },
  { kind: KINDS.ReplicaSet, templatePath: ['spec', 'template'], longRunning: always, replicated: true },
  { kind: KINDS.ReplicationController, templatePath: ['spec', 'template'], longRunning: always, replicated: true },
  { kind: KINDS.DaemonSet, templatePath: ['spec', 'template'], longRunning: always, replicated: false },
  { kind: KINDS.Job, templatePath: ['spec', 'template'], longRunning: never, replicated: false },
  { kind: KINDS.CronJob, templatePath: ['spec', 'jobTemplate', 'spec', 'template'], longRunning: never, replicated: false },
  // a bare Pod restarts forever unless told otherwise
  { kind: KINDS.Pod, templatePath: [], longRunning: (spec) => (spec.restartPolicy ?? 'Always') === 'Always', replicated: false },
  // sandboxes serve a session for hours: long-running like any server
  { kind: KINDS.SandboxTemplate, templatePath: ['spec', 'podTemplate'], longRunning: always, replicated: false },
  { kind: KINDS.Sandbox, templatePath: ['spec', 'podTemplate'], longRunning: always, replicated: false },
];

function walk(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The pod spec an object runs, or undefined for objects that run none. */
export function podSiteOf(object: KubeObject): PodSite | undefined {
  const layout = LAYOUTS.find((l) => isKind(object, l.kind));
  if (!layout) return undefined;
  const template = (layout.templatePath.length === 0 ? object : walk(object, layout.templatePath)) as PodTemplateLike | undefined;
  const spec = template?.spec;
  if (!spec || typeof spec !== 'object') return undefined;
  const replicas = layout.replicated ? (walk(object, ['spec', 'replicas']) as number | undefined) ?? 1 : undefined;
  return {
    object,
    namespace: object.metadata.namespace ?? 'default',
    specPath: [...layout.templatePath, 'spec'].join('.'),
    spec,
    labels: (layout.templatePath.length === 0 ? object.metadata.labels : template?.metadata?.labels) ?? {},
    longRunning: layout.longRunning(spec),
    ...(replicas !== undefined ? { replicas } : {}),
  };
}

export function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

const containerCache = new WeakMap<PodSite, readonly ContainerSite[]>();

/** Containers and init containers, with their paths (computed once per site: every pod rule asks). */
export function containersOf(site: PodSite): readonly ContainerSite[] {
  const cached = containerCache.get(site);
  if (cached) return cached;
  const containers = listOf(site.spec.containers).map((container, i) => ({ container, path: `${site.specPath}.containers[${i}]`, init: false, sidecar: false }));
  const init = listOf(site.spec.initContainers).map((container, i) => ({
    container,
    path: `${site.specPath}.initContainers[${i}]`,
    init: true,
    sidecar: container.restartPolicy === 'Always',
  }));
  const all = [...init, ...containers];
  containerCache.set(site, all);
  return all;
}

/** "container \"runtime\"" / "init container \"migrate\"", for messages. */
export function containerName(site: ContainerSite): string {
  return `${site.init ? (site.sidecar ? 'sidecar container' : 'init container') : 'container'} "${site.container.name}"`;
}
