/**
 * The driver's watch survives what real watches go through: dropped connections (re-watch from
 * the last resourceVersion seen, no re-list), 410 Gone for a compacted resourceVersion (one
 * re-list, then watch from the list's resourceVersion), bookmarks, and failing watch requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, NAMESPACE, startDriverFixture, type DriverFixture } from './driver-fixture.ts';

let fixture: DriverFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Starts an acquire and waits until its first watch is open (the claim is not Ready yet). */
async function acquireUntilWatching(f: DriverFixture) {
  const request = f.request();
  const acquiring = f.driver.acquire(request);
  acquiring.catch(() => undefined);
  const firstWatch = await f.api.waitForRequest((r) => r.watch && r.status === 200);
  return { request, acquiring, firstWatch, claimName: `session-${request.sessionId}` };
}

const listsOf = (f: DriverFixture, after = 0) => f.claimRequests(after).filter((r) => r.method === 'GET' && !r.watch);

describe('KubernetesSandboxDriver watch', () => {
  it.each([
    ['abruptly (connection reset)', false],
    ['cleanly (end of stream)', true],
  ])('re-establishes a watch dropped %s from the last resourceVersion it saw, without re-listing', async (_how, graceful) => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 1_500 } });
    const f = fixture;
    const { acquiring, firstWatch, claimName } = await acquireUntilWatching(f);
    // let the controller's SandboxNotReady reach the driver, so its last resourceVersion moves on
    const notReady = f.api.store.get(NAMESPACE, claimName);
    expect(notReady?.status?.conditions?.[0]?.reason ?? 'SandboxNotReady').toBe('SandboxNotReady');
    await new Promise((r) => setTimeout(r, 100));
    const lastSeen = f.api.store.get(NAMESPACE, claimName)?.metadata.resourceVersion;

    expect(f.api.dropWatches({ graceful })).toBe(1);
    const rewatch = await f.api.waitForRequest((r) => r.watch, { after: firstWatch.index + 1 });

    const binding = await acquiring;
    expect(binding.sandboxId).toBe(claimName);
    expect(Number(rewatch.query.resourceVersion)).toBeGreaterThan(Number(firstWatch.query.resourceVersion));
    expect(rewatch.query.resourceVersion).toBe(lastSeen);
    expect(listsOf(f), f.api.describeRequests()).toHaveLength(0);
  });

  it.each(['event', 'status'] as const)('re-lists once after 410 Gone (delivered as %s) and watches on from the list resourceVersion', async (goneAs) => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 1_500 }, api: { goneAs } });
    const f = fixture;
    const { acquiring, firstWatch, claimName } = await acquireUntilWatching(f);
    await new Promise((r) => setTimeout(r, 100));
    // other objects change, then etcd compacts: the driver's resourceVersion is now too old
    f.api.store.advance(10);
    f.api.store.compact();
    f.api.dropWatches();

    const binding = await acquiring;
    expect(binding.sandboxId).toBe(claimName);

    const after = f.claimRequests(firstWatch.index + 1);
    const gone = after.find((r) => r.watch);
    expect(gone?.status).toBe(goneAs === 'status' ? 410 : 200);
    const lists = listsOf(f);
    expect(lists, f.api.describeRequests()).toHaveLength(1);
    expect(lists[0]?.query).toMatchObject({ fieldSelector: `metadata.name=${claimName}` });
    const resumed = after.filter((r) => r.watch && r.index > (lists[0]?.index ?? Infinity));
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(Number(resumed[0]?.query.resourceVersion)).toBeGreaterThanOrEqual(f.api.store.oldestResourceVersion);
    expect(f.logs.some((l) => l.message.includes('410 Gone'))).toBe(true);
  });

  it('finishes from the re-list alone when the claim turned Ready while it could not watch', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 300 } });
    const f = fixture;
    const { acquiring, firstWatch, claimName } = await acquireUntilWatching(f);
    // every watch fails until the claim is Ready; then the first one answers 410 Gone
    f.api.failNext({ watch: true, status: 503, reason: 'ServiceUnavailable', times: 1_000 });
    f.api.dropWatches();
    await eventually(() => f.api.store.get(NAMESPACE, claimName)?.status?.sandbox?.name !== undefined, 'the claim to turn Ready');
    f.api.clearFailures();
    f.api.failNext({ watch: true, status: 410, reason: 'Expired', message: 'too old resource version' });

    const binding = await acquiring;
    expect(binding.sandboxName).toBe(f.controller.sandboxOf(NAMESPACE, claimName)?.name);
    const lists = listsOf(f);
    expect(lists).toHaveLength(1);
    const calls = f.claimRequests(firstWatch.index + 1);
    expect(calls.filter((r) => r.watch && r.status === 503).length).toBeGreaterThanOrEqual(1);
    expect(calls.at(-1), 'no watch after the re-list').toBe(lists[0]);
  });

  it('moves its resourceVersion forward on bookmarks, so a reconnect after compaction needs no re-list', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 1_500 } });
    const f = fixture;
    const { acquiring, firstWatch } = await acquireUntilWatching(f);
    await new Promise((r) => setTimeout(r, 100));
    f.api.store.advance(25);
    f.api.sendBookmarks();
    const bookmarked = String(f.api.store.resourceVersion);
    await new Promise((r) => setTimeout(r, 100));
    f.api.store.compact(); // history now starts at the bookmark
    f.api.dropWatches();

    await acquiring;
    const rewatch = f.claimRequests(firstWatch.index + 1).find((r) => r.watch);
    expect(rewatch?.query.resourceVersion).toBe(bookmarked);
    expect(rewatch?.status).toBe(200);
    expect(listsOf(f)).toHaveLength(0);
  });

  it('backs off and retries while watch requests fail (500 Internal Error)', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 1_000 } });
    const f = fixture;
    const { acquiring, firstWatch } = await acquireUntilWatching(f);
    await new Promise((r) => setTimeout(r, 100)); // a healthy stream first: its drop is re-watched at once
    f.api.failNext({ watch: true, status: 500, reason: 'InternalError', times: 2 });
    f.api.dropWatches();
    await acquiring;
    const rewatches = f.claimRequests(firstWatch.index + 1).filter((r) => r.watch);
    expect(rewatches.map((r) => r.status).slice(0, 3)).toEqual([500, 500, 200]);
    expect(f.logs.filter((l) => l.message.includes('re-watching after a pause'))).toHaveLength(2);
  });
});
