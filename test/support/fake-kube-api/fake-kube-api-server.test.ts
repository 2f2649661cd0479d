/**
 * The fake API server speaks the Kubernetes protocol the way @kubernetes/client-node expects:
 * checked with the real client (CustomObjectsApi, Watch), so the driver's tests rest on it.
 */
import { ApiException, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeApiServer, GROUP, VERSION } from './fake-kube-api-server.ts';

const NS = 'team-a';
const target = { group: GROUP, version: VERSION, namespace: NS, plural: 'sandboxclaims' };
const claim = (name: string, pool = 'scripted') => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: 'SandboxClaim',
  metadata: { name, labels: { 'paddock.dev/team': 'a' } },
  spec: { warmPoolRef: { name: pool }, lifecycle: { shutdownPolicy: 'Delete' } },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

interface Received {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string };
}

/** Opens a watch with the real client and collects its events until `done`. */
function openWatch(api: FakeKubeApiServer, query: Record<string, string | boolean | number>) {
  const events: Received[] = [];
  let ended: { error: unknown } | undefined;
  const started = new Watch(api.kubeConfig()).watch(
    `/apis/${GROUP}/${VERSION}/namespaces/${NS}/sandboxclaims`,
    query,
    (type, object) => events.push({ type, object }),
    (error) => {
      ended = { error };
    },
  );
  return {
    events,
    ended: () => ended,
    stop: async () => (await started).abort(),
    async waitFor(count: number): Promise<void> {
      for (let i = 0; i < 200 && events.length < count && !ended; i++) await new Promise((r) => setTimeout(r, 10));
      expect(events.length).toBeGreaterThanOrEqual(count);
    },
    async waitEnded(): Promise<{ error: unknown }> {
      for (let i = 0; i < 200 && !ended; i++) await new Promise((r) => setTimeout(r, 10));
      expect(ended).toBeDefined();
      return ended as { error: unknown };
    },
  };
}

async function apiError(promise: Promise<unknown>): Promise<{ code: number; body: { reason?: string; message?: string; code?: number } }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    const e = error as ApiException<string | undefined>;
    // the client drops the body of a 401; every other failure carries the Status object
    return { code: e.code, body: e.body === undefined ? {} : (JSON.parse(e.body) as { reason?: string; message?: string }) };
  }
  throw new Error('expected the call to fail');
}

describe('fake Kubernetes API server (sandboxclaims)', () => {
  let api: FakeKubeApiServer;
  let client: CustomObjectsApi;

  beforeEach(async () => {
    api = await FakeKubeApiServer.start();
    client = api.kubeConfig().makeApiClient(CustomObjectsApi);
  });
  afterEach(async () => {
    await api.close();
  });

  it('creates with 201, assigns uid/resourceVersion, drops status, and answers 409 AlreadyExists on a second create', async () => {
    const created = (await client.createNamespacedCustomObject({ ...target, body: claim('c1') })) as ReturnType<typeof claim> & { metadata: { uid: string; resourceVersion: string; namespace: string } };
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata.namespace).toBe(NS);
    expect(created).not.toHaveProperty('status');
    expect(api.requests.at(-1)).toMatchObject({ method: 'POST', status: 201 });

    const conflict = await apiError(client.createNamespacedCustomObject({ ...target, body: claim('c1') }));
    expect(conflict.code).toBe(409);
    expect(conflict.body).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409 });
  });

  it('rejects a claim without spec.warmPoolRef (422 Invalid naming the field) and a wrong kind (400)', async () => {
    const invalid = await apiError(client.createNamespacedCustomObject({ ...target, body: { ...claim('bad'), spec: {} } }));
    expect(invalid.code).toBe(422);
    expect(invalid.body.message).toContain('spec.warmPoolRef.name: Required value');
    const wrongKind = await apiError(client.createNamespacedCustomObject({ ...target, body: { ...claim('bad'), kind: 'Sandbox' } }));
    expect(wrongKind.code).toBe(400);
  });

  it('gets (404 NotFound Status when missing) and lists with the current resourceVersion and selectors', async () => {
    const missing = await apiError(client.getNamespacedCustomObject({ ...target, name: 'nope' }));
    expect(missing.code).toBe(404);
    expect(missing.body).toMatchObject({ reason: 'NotFound', message: 'sandboxclaims.extensions.agents.x-k8s.io "nope" not found' });

    await client.createNamespacedCustomObject({ ...target, body: claim('c1') });
    await client.createNamespacedCustomObject({ ...target, body: { ...claim('c2'), metadata: { name: 'c2', labels: { 'paddock.dev/team': 'b' } } } });
    const list = (await client.listNamespacedCustomObject({ ...target, labelSelector: 'paddock.dev/team=b' })) as { metadata: { resourceVersion: string }; items: { metadata: { name: string } }[] };
    expect(list.items.map((i) => i.metadata.name)).toEqual(['c2']);
    expect(list.metadata.resourceVersion).toBe(String(api.store.resourceVersion));
    const byName = (await client.listNamespacedCustomObject({ ...target, fieldSelector: 'metadata.name=c1' })) as { items: unknown[] };
    expect(byName.items).toHaveLength(1);
    const badField = await apiError(client.listNamespacedCustomObject({ ...target, fieldSelector: 'spec.warmPoolRef.name=x' }));
    expect(badField.code).toBe(400);
  });

  it('replaces with optimistic concurrency (409 Conflict on a stale resourceVersion) and keeps status', async () => {
    const created = (await client.createNamespacedCustomObject({ ...target, body: claim('c1') })) as { metadata: Record<string, unknown> };
    api.store.updateStatus(NS, 'c1', (status) => {
      status.sandbox = { name: 'scripted-abcde' };
    });
    const stale = await apiError(client.replaceNamespacedCustomObject({ ...target, name: 'c1', body: { ...claim('c1'), metadata: { ...created.metadata, annotations: { a: '1' } } } }));
    expect(stale.code).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    const fresh = api.store.get(NS, 'c1');
    const updated = (await client.replaceNamespacedCustomObject({ ...target, name: 'c1', body: { ...fresh, metadata: { ...fresh?.metadata, annotations: { a: '1' } } } })) as {
      metadata: { annotations: Record<string, string> };
      status: { sandbox: { name: string } };
    };
    expect(updated.metadata.annotations).toEqual({ a: '1' });
    expect(updated.status.sandbox.name).toBe('scripted-abcde');
  });

  it('deletes (404 when gone, 409 when the uid precondition does not match), optionally via a terminating phase', async () => {
    await client.createNamespacedCustomObject({ ...target, body: claim('c1') });
    const wrongUid = await apiError(client.deleteNamespacedCustomObject({ ...target, name: 'c1', body: { preconditions: { uid: 'not-it' } } }));
    expect(wrongUid.code).toBe(409);
    const uid = api.store.get(NS, 'c1')?.metadata.uid;
    await client.deleteNamespacedCustomObject({ ...target, name: 'c1', body: { preconditions: { uid } } });
    expect(api.store.get(NS, 'c1')).toBeUndefined();
    expect((await apiError(client.deleteNamespacedCustomObject({ ...target, name: 'c1' }))).code).toBe(404);

    api.deletionDelayMs = 100;
    await client.createNamespacedCustomObject({ ...target, body: claim('c2') });
    const terminating = (await client.deleteNamespacedCustomObject({ ...target, name: 'c2' })) as { metadata: { deletionTimestamp?: string } };
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    expect(api.store.get(NS, 'c2')?.metadata.deletionTimestamp).toBeDefined();
    await new Promise((r) => setTimeout(r, 250));
    expect(api.store.get(NS, 'c2')).toBeUndefined();
  });

  it('watches from a resourceVersion: replays later events, then streams live ADDED/MODIFIED/DELETED in order', async () => {
    const created = (await client.createNamespacedCustomObject({ ...target, body: claim('c1') })) as { metadata: { resourceVersion: string } };
    api.store.updateStatus(NS, 'c1', (status) => {
      status.sandbox = { name: 'x' };
    });
    const watch = openWatch(api, { resourceVersion: created.metadata.resourceVersion, fieldSelector: 'metadata.name=c1' });
    await watch.waitFor(1);
    await client.createNamespacedCustomObject({ ...target, body: claim('other') }); // filtered out by the field selector
    await client.deleteNamespacedCustomObject({ ...target, name: 'c1' });
    await watch.waitFor(2);
    expect(watch.events.map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ['MODIFIED', 'c1'],
      ['DELETED', 'c1'],
    ]);
    const versions = watch.events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(versions[1]).toBeGreaterThan(versions[0] ?? Infinity);
    await watch.stop();
  });

  it('watches without a resourceVersion: synthetic ADDED for what exists, then live events', async () => {
    await client.createNamespacedCustomObject({ ...target, body: claim('c1') });
    const watch = openWatch(api, {});
    await watch.waitFor(1);
    await client.createNamespacedCustomObject({ ...target, body: claim('c2') });
    await watch.waitFor(2);
    expect(watch.events.map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ['ADDED', 'c1'],
      ['ADDED', 'c2'],
    ]);
    await watch.stop();
  });

  it('answers a compacted resourceVersion with 410: an ERROR event in a 200 stream, or HTTP 410', async () => {
    const created = (await client.createNamespacedCustomObject({ ...target, body: claim('c1') })) as { metadata: { resourceVersion: string } };
    api.store.updateStatus(NS, 'c1', () => undefined);
    api.store.compact();
    const asEvent = openWatch(api, { resourceVersion: created.metadata.resourceVersion });
    await asEvent.waitFor(1);
    expect(asEvent.events[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    await asEvent.waitEnded();

    api.goneAs = 'status';
    const asStatus = openWatch(api, { resourceVersion: created.metadata.resourceVersion });
    const ended = await asStatus.waitEnded();
    expect((ended.error as { statusCode?: number }).statusCode).toBe(410);
  });

  it('drops watch connections on demand, sends bookmarks, ends at timeoutSeconds, and requires the bearer token', async () => {
    const watch = openWatch(api, { resourceVersion: String(api.store.resourceVersion), allowWatchBookmarks: true });
    await api.waitForRequest((r) => r.watch);
    api.sendBookmarks();
    await watch.waitFor(1);
    expect(watch.events[0]).toMatchObject({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(api.store.resourceVersion) } } });
    expect(api.dropWatches()).toBe(1);
    expect((await watch.waitEnded()).error).toBeTruthy();

    const timed = openWatch(api, { resourceVersion: String(api.store.resourceVersion), timeoutSeconds: 1 });
    expect((await timed.waitEnded()).error).toBeNull();

    const stranger = api.kubeConfig('wrong-token').makeApiClient(CustomObjectsApi);
    expect((await apiError(stranger.listNamespacedCustomObject(target))).code).toBe(401);
  });

  it('injects failures for matching requests, a bounded number of times', async () => {
    api.failNext({ method: 'POST', status: 500, reason: 'InternalError', times: 1 });
    expect((await apiError(client.createNamespacedCustomObject({ ...target, body: claim('c1') }))).code).toBe(500);
    await client.createNamespacedCustomObject({ ...target, body: claim('c1') });
    expect(api.store.get(NS, 'c1')).toBeDefined();
  });
});

describe('a team whose bundle is not applied (withoutTeamBundle)', () => {
  let fake: FakeKubeApiServer;
  beforeEach(async () => {
    fake = await FakeKubeApiServer.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  const statusOf = async (request: Promise<unknown>) => {
    const error = (await request.then(() => undefined, (e: unknown) => e)) as ApiException<string> | undefined;
    return error ? { code: error.code, body: JSON.parse(error.body) as { reason: string; message: string; details?: { kind?: string } } } : undefined;
  };

  it('answers 403 like RBAC without a RoleBinding, then 404 for the namespace like admission, and serves once applied', async () => {
    const api = fake.kubeConfig().makeApiClient(CustomObjectsApi);
    fake.withoutTeamBundle(NS);
    const forbidden = await statusOf(api.createNamespacedCustomObject({ ...target, body: claim('c1') }));
    expect(forbidden).toMatchObject({ code: 403, body: { reason: 'Forbidden' } });
    expect(forbidden!.body.message).toContain(`cannot create resource "sandboxclaims" in API group "extensions.agents.x-k8s.io" in the namespace "${NS}"`);

    fake.applyTeamBundle(NS);
    fake.withoutTeamBundle(NS, { rbac: false }); // bound (e.g. cluster-wide), but no namespace yet
    expect(await statusOf(api.createNamespacedCustomObject({ ...target, body: claim('c1') }))).toMatchObject({ code: 404, body: { reason: 'NotFound', message: `namespaces "${NS}" not found`, details: { kind: 'namespaces' } } });

    fake.applyTeamBundle(NS);
    expect(await statusOf(api.createNamespacedCustomObject({ ...target, body: claim('c1') }))).toBeUndefined();
  });
});
