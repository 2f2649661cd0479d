/**
 * The fake API server's storage for SandboxClaims: objects keyed by namespace/name, one global
 * monotonic resourceVersion (like etcd's revision), an event history that watches replay from
 * a resourceVersion, and compaction (older resourceVersions then answer 410 Gone).
 */
import { randomUUID } from 'node:crypto';
import { statuses, type KubeStatus } from './kube-status.ts';

export interface ClaimCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface StoredClaim {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    generation: number;
    creationTimestamp: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
  };
  spec: Record<string, unknown> & { warmPoolRef: { name: string } };
  status?: { conditions?: ClaimCondition[]; sandbox?: { name?: string; podIPs?: string[] } };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  readonly type: WatchEventType;
  readonly resourceVersion: number;
  readonly object: StoredClaim;
}

export class StoreError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class ClaimStore {
  private revision = 1000;
  private oldestWatchable = 0;
  private readonly objects = new Map<string, StoredClaim>();
  private readonly history: StoredEvent[] = [];
  private readonly listeners = new Set<(event: StoredEvent) => void>();

  get resourceVersion(): number {
    return this.revision;
  }

  /** the oldest resourceVersion a watch can start from without 410 Gone */
  get oldestResourceVersion(): number {
    return this.oldestWatchable;
  }

  get(namespace: string, name: string): StoredClaim | undefined {
    const object = this.objects.get(key(namespace, name));
    return object ? structuredClone(object) : undefined;
  }

  list(namespace?: string): StoredClaim[] {
    return [...this.objects.values()].filter((o) => namespace === undefined || o.metadata.namespace === namespace).map((o) => structuredClone(o));
  }

  create(object: Omit<StoredClaim, 'metadata'> & { metadata: Pick<StoredClaim['metadata'], 'name' | 'labels' | 'annotations' | 'finalizers'> }, namespace: string): StoredClaim {
    const name = object.metadata.name;
    if (this.objects.has(key(namespace, name))) throw new StoreError(statuses.alreadyExists(name));
    const stored: StoredClaim = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: {
        ...object.metadata,
        name,
        namespace,
        uid: randomUUID(),
        resourceVersion: '',
        generation: 1,
        creationTimestamp: now(),
      },
      spec: structuredClone(object.spec),
    };
    return this.commit('ADDED', stored);
  }

  /** PUT semantics: metadata.resourceVersion must be current; status is not writable here. */
  replace(namespace: string, name: string, incoming: { metadata: StoredClaim['metadata'] | Partial<StoredClaim['metadata']>; spec: StoredClaim['spec'] }): StoredClaim {
    const current = this.objects.get(key(namespace, name));
    if (!current) throw new StoreError(statuses.notFound(name));
    if (!incoming.metadata.resourceVersion) throw new StoreError(statuses.invalid(name, [{ field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]));
    if (incoming.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw new StoreError(statuses.conflict(name, 'the object has been modified; please apply your changes to the latest version and try again'));
    }
    if (incoming.metadata.uid && incoming.metadata.uid !== current.metadata.uid) {
      throw new StoreError(statuses.conflict(name, `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${current.metadata.uid}`));
    }
    const specChanged = JSON.stringify(incoming.spec) !== JSON.stringify(current.spec);
    const next: StoredClaim = {
      ...structuredClone(current),
      metadata: {
        ...current.metadata,
        ...(incoming.metadata.labels ? { labels: { ...incoming.metadata.labels } } : {}),
        ...(incoming.metadata.annotations ? { annotations: { ...incoming.metadata.annotations } } : {}),
        ...(incoming.metadata.finalizers ? { finalizers: [...incoming.metadata.finalizers] } : {}),
        generation: current.metadata.generation + (specChanged ? 1 : 0),
      },
      spec: structuredClone(incoming.spec),
    };
    if (!incoming.metadata.labels) delete next.metadata.labels;
    if (!incoming.metadata.annotations) delete next.metadata.annotations;
    return this.commit('MODIFIED', next);
  }

  /** Status subresource write (the controller's side); undefined when the claim is gone. */
  updateStatus(namespace: string, name: string, mutate: (status: NonNullable<StoredClaim['status']>, claim: StoredClaim) => void): StoredClaim | undefined {
    const current = this.objects.get(key(namespace, name));
    if (!current) return undefined;
    const next = structuredClone(current);
    next.status ??= {};
    mutate(next.status, next);
    return this.commit('MODIFIED', next);
  }

  /** Sets deletionTimestamp (finalizers pending): the object stays, terminating. */
  markDeleting(namespace: string, name: string): StoredClaim | undefined {
    const current = this.objects.get(key(namespace, name));
    if (!current) return undefined;
    if (current.metadata.deletionTimestamp) return structuredClone(current);
    const next = structuredClone(current);
    next.metadata.deletionTimestamp = now();
    return this.commit('MODIFIED', next);
  }

  remove(namespace: string, name: string): StoredClaim | undefined {
    const current = this.objects.get(key(namespace, name));
    if (!current) return undefined;
    return this.commit('DELETED', structuredClone(current));
  }

  /** Events after `resourceVersion`, or 'gone' when history no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoredEvent[] | 'gone' {
    if (resourceVersion < this.oldestWatchable) return 'gone';
    return this.history.filter((e) => e.resourceVersion > resourceVersion).map((e) => ({ ...e, object: structuredClone(e.object) }));
  }

  /** Forgets all history: watches from any resourceVersion before now get 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.oldestWatchable = this.revision;
  }

  /** A revision bump that touches no claim (other resources changing in a real cluster). */
  advance(by = 1): void {
    this.revision += by;
  }

  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private commit(type: WatchEventType, object: StoredClaim): StoredClaim {
    this.revision += 1;
    object.metadata.resourceVersion = String(this.revision);
    if (type === 'DELETED') this.objects.delete(key(object.metadata.namespace, object.metadata.name));
    else this.objects.set(key(object.metadata.namespace, object.metadata.name), object);
    const event: StoredEvent = { type, resourceVersion: this.revision, object: structuredClone(object) };
    this.history.push(event);
    for (const listener of [...this.listeners]) listener({ ...event, object: structuredClone(object) });
    return structuredClone(object);
  }
}
