/** SandboxClaimClient against the fake API server, through the real @kubernetes/client-node. */
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeApiError, SandboxClaimClient, type ClaimWatchEvent } from '../../../../runtime/drivers/kubernetes/claim-client.ts';
import { buildSandboxClaim, type SandboxClaim } from '../../../../runtime/drivers/kubernetes/sandbox-claim.ts';
import { FakeKubeApiServer } from '../../../support/fake-kube-api/fake-kube-api-server.ts';

const NS = 'team-a';
const claim = (name: string): SandboxClaim =>
  buildSandboxClaim({ name, namespace: NS, warmPool: 'scripted', team: 'a', harness: 'scripted', sessionId: name, sessionKey: name, tokenSha256: '0'.repeat(64) });

let api: FakeKubeApiServer;
let client: SandboxClaimClient;
beforeEach(async () => {
  api = await FakeKubeApiServer.start();
  client = new SandboxClaimClient(api.kubeConfig(), { requestTimeoutMs: 2_000 });
});
afterEach(async () => {
  await api.close();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('SandboxClaimClient', () => {
  it('creates, reads, lists, replaces and deletes claims', async () => {
    const created = await client.create(NS, claim('c1'));
    expect(created.metadata).toMatchObject({ name: 'c1', namespace: NS });
    expect(created.metadata.uid).toBeDefined();
    expect(await client.get(NS, 'c1')).toEqual(created);
    expect(await client.get(NS, 'missing')).toBeUndefined();

    const list = await client.list(NS, { fieldSelector: 'metadata.name=c1' });
    expect(list.items.map((i) => i.metadata.name)).toEqual(['c1']);
    expect(list.resourceVersion).toBe(String(api.store.resourceVersion));

    const replaced = await client.replace(NS, { ...created, metadata: { ...created.metadata, annotations: { note: 'x' } } });
    expect(replaced.metadata.annotations).toEqual({ note: 'x' });
    expect(Number(replaced.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));

    expect(await client.delete(NS, 'c1', { uid: created.metadata.uid })).toBe('deleted');
    expect(await client.delete(NS, 'c1', {})).toBe('not_found');
  });

  it('raises KubeApiError with the status and the Status reason', async () => {
    await client.create(NS, claim('c1'));
    const exists = await rejection(client.create(NS, claim('c1')));
    expect(exists).toBeInstanceOf(KubeApiError);
    expect(exists).toMatchObject({ status: 409, reason: 'AlreadyExists' });
    expect((exists as Error).message).toBe('creating SandboxClaim "c1" in namespace "team-a": 409 AlreadyExists: sandboxclaims.extensions.agents.x-k8s.io "c1" already exists');

    const stale = await client.get(NS, 'c1');
    await client.replace(NS, { ...stale!, metadata: { ...stale!.metadata, annotations: { a: '1' } } });
    expect(await rejection(client.replace(NS, stale!))).toMatchObject({ status: 409, reason: 'Conflict' });
    expect(await rejection(client.delete(NS, 'c1', { uid: 'another-incarnation' }))).toMatchObject({ status: 409, reason: 'Conflict' });

    const offline = new SandboxClaimClient(unreachableKubeConfig());
    expect(await rejection(offline.get(NS, 'c1'))).toMatchObject({ status: 0, reason: 'NetworkError' });
  });

  it('cancels a request on abort (rejecting with the reason) and times out a hung API server', async () => {
    api.delayNext({ method: 'GET', delayMs: 10_000 });
    const controller = new AbortController();
    const pending = client.get(NS, 'c1', controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 50);
    expect(((await rejection(pending)) as Error).message).toBe('stop');

    const impatient = new SandboxClaimClient(api.kubeConfig(), { requestTimeoutMs: 200 });
    api.delayNext({ method: 'GET', delayMs: 10_000 });
    expect(await rejection(impatient.get(NS, 'c1'))).toMatchObject({ status: 0, reason: 'Timeout' });
  });

  it('watches one claim from a resourceVersion, and says why each stream ended', async () => {
    const created = await client.create(NS, claim('c1'));
    await client.create(NS, claim('other'));
    const events: ClaimWatchEvent[] = [];
    const stopOnDelete = client.watch(NS, { name: 'c1', resourceVersion: created.metadata.resourceVersion!, timeoutSeconds: 10 }, (event) => {
      events.push(event);
      return event.type === 'DELETED' ? 'stop' : undefined;
    }, new AbortController().signal);
    await api.waitForRequest((r) => r.watch);
    api.store.updateStatus(NS, 'c1', (status) => {
      status.sandbox = { name: 'scripted-abcde' };
    });
    api.sendBookmarks();
    await client.delete(NS, 'c1', {});
    expect(await stopOnDelete).toEqual({ kind: 'stopped' });
    expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'BOOKMARK', 'DELETED']);

    const rv = String(api.store.resourceVersion);
    const closed = client.watch(NS, { name: 'c1', resourceVersion: rv, timeoutSeconds: 1 }, () => undefined, new AbortController().signal);
    expect(await closed).toEqual({ kind: 'closed' });

    api.store.advance();
    api.store.compact();
    expect(await client.watch(NS, { name: 'c1', resourceVersion: rv, timeoutSeconds: 5 }, () => undefined, new AbortController().signal)).toMatchObject({ kind: 'gone' });

    const aborter = new AbortController();
    const aborted = client.watch(NS, { name: 'c1', resourceVersion: String(api.store.resourceVersion), timeoutSeconds: 30 }, () => undefined, aborter.signal);
    await api.waitForRequest((r) => r.watch && r.query.timeoutSeconds === '30');
    aborter.abort();
    expect(await aborted).toEqual({ kind: 'aborted' });
    await new Promise((r) => setTimeout(r, 50));
    expect(api.activeWatches).toBe(0);

    api.failNext({ watch: true, status: 403, reason: 'Forbidden' });
    const refused = await client.watch(NS, { name: 'c1', resourceVersion: String(api.store.resourceVersion), timeoutSeconds: 5 }, () => undefined, new AbortController().signal);
    expect(refused).toMatchObject({ kind: 'error', error: { status: 403 } });
  });
});

/** A KubeConfig for a loopback port nothing listens on. */
function unreachableKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}
