/**
 * The claim's lifetime backstop: acquire sets lifecycle.shutdownTime a lifetime ahead, and
 * keepAlive pushes it out again while the session uses the sandbox — once it is due, for its own
 * incarnation only, with at most one GET per quarter lifetime otherwise.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxClaimClient } from '../../../../runtime/drivers/kubernetes/claim-client.ts';
import { rfc3339Seconds } from '../../../../runtime/drivers/kubernetes/sandbox-claim.ts';
import { NAMESPACE, startDriverFixture, type DriverFixture } from './driver-fixture.ts';

const LIFETIME_S = 600;

let fixture: DriverFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const shutdownOf = (f: DriverFixture, name: string) => Date.parse((f.api.store.get(NAMESPACE, name)!.spec.lifecycle as { shutdownTime?: string } | undefined)?.shutdownTime ?? '');

/** Moves the claim's shutdownTime as if `secondsLeft` were left (what time passing would do). */
async function setShutdown(f: DriverFixture, name: string, secondsLeft: number): Promise<void> {
  const client = new SandboxClaimClient(f.api.kubeConfig());
  const claim = (await client.get(NAMESPACE, name))!;
  await client.replace(NAMESPACE, { ...claim, spec: { ...claim.spec, lifecycle: { ...claim.spec.lifecycle, shutdownTime: rfc3339Seconds(new Date(Date.now() + secondsLeft * 1000)) } } });
}

describe('KubernetesSandboxDriver lifetime backstop', () => {
  it('creates the claim with shutdownTime a lifetime ahead (shutdownPolicy Delete)', async () => {
    fixture = await startDriverFixture({ driver: { sandboxLifetimeSeconds: LIFETIME_S } });
    const before = Date.now();
    const binding = await fixture.driver.acquire(fixture.request());
    const lifecycle = fixture.api.store.get(NAMESPACE, binding.sandboxId)!.spec.lifecycle as { shutdownTime: string; shutdownPolicy: string };
    expect(lifecycle.shutdownPolicy).toBe('Delete');
    expect(Date.parse(lifecycle.shutdownTime)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + LIFETIME_S * 1000);
    expect(Date.parse(lifecycle.shutdownTime)).toBeLessThanOrEqual(Date.now() + LIFETIME_S * 1000);
  });

  it('renews a claim whose shutdownTime is due, from a restarted runtime too, and then asks nothing for a quarter lifetime', async () => {
    fixture = await startDriverFixture({ driver: { sandboxLifetimeSeconds: LIFETIME_S } });
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    await setShutdown(f, binding.sandboxId, 60); // 1 minute left of 10

    const restarted = f.newDriver({ sandboxLifetimeSeconds: LIFETIME_S });
    let mark = f.api.requests.length;
    await restarted.keepAlive(binding);
    expect(f.claimRequests(mark).map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(shutdownOf(f, binding.sandboxId)).toBeGreaterThan(Date.now() + (LIFETIME_S - 5) * 1000);
    expect(f.logs.some((l) => l.message === 'sandbox claim lifetime renewed')).toBe(true);

    mark = f.api.requests.length;
    await restarted.keepAlive(binding);
    expect(f.claimRequests(mark)).toEqual([]);
  });

  it('only reads a claim with most of its lifetime left, and leaves a newer sandbox of the session alone', async () => {
    fixture = await startDriverFixture({ driver: { sandboxLifetimeSeconds: LIFETIME_S } });
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    const fresh = f.newDriver({ sandboxLifetimeSeconds: LIFETIME_S });
    let mark = f.api.requests.length;
    await fresh.keepAlive(binding);
    expect(f.claimRequests(mark).map((r) => r.method)).toEqual(['GET']);

    await setShutdown(f, binding.sandboxId, 30);
    const other = f.newDriver({ sandboxLifetimeSeconds: LIFETIME_S });
    const stale = { ...binding, token: 'a-token-of-an-older-sandbox' };
    const before = shutdownOf(f, binding.sandboxId);
    mark = f.api.requests.length;
    await other.keepAlive(stale);
    expect(f.claimRequests(mark).map((r) => r.method)).toEqual(['GET']);
    expect(shutdownOf(f, binding.sandboxId)).toBe(before);
  });

  it('does nothing without a lifetime, and never throws when the API server fails', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    let mark = f.api.requests.length;
    await f.driver.keepAlive(binding);
    expect(f.claimRequests(mark)).toEqual([]);

    const withLifetime = f.newDriver({ sandboxLifetimeSeconds: LIFETIME_S });
    f.api.failNext({ method: 'GET', status: 500, reason: 'InternalError', message: 'etcd is sad' });
    mark = f.api.requests.length;
    await expect(withLifetime.keepAlive(binding)).resolves.toBeUndefined();
    expect(f.logs.some((l) => l.level === 'warn' && String(l.fields.error).includes('etcd is sad'))).toBe(true);
  });
});
