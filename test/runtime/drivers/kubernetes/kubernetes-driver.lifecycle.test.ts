/**
 * After acquire: isAlive answers whether the binding's sandbox is still there and still ours
 * (also from a restarted runtime holding only the stored binding), holdsIncarnation answers the
 * API's part of that without calling the harness, and release deletes the
 * claim — once, idempotently, and never a newer claim of the same session.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { TOKEN_HASH_ANNOTATION } from '../../../../runtime/drivers/kubernetes/sandbox-claim.ts';
import type pg from 'pg';
import { SandboxError } from '../../../../runtime/drivers/sandbox-driver.ts';
import { SandboxKeeper } from '../../../../runtime/executor/sandboxes.ts';
import { silentLogger } from '../../../../runtime/log.ts';
import { RuntimeMetrics } from '../../../../runtime/metrics.ts';
import { scriptedHarnessLauncher, waitForHealthz } from '../../../support/fake-kube-api/harness-process.ts';
import { eventually, NAMESPACE, startDriverFixture, type DriverFixture } from './driver-fixture.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let fixture: DriverFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('KubernetesSandboxDriver.release', () => {
  it('deletes the claim (agent-sandbox then removes the sandbox) and is idempotent', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    const harness = f.controller.sandboxOf(NAMESPACE, binding.sandboxId)?.process;

    await f.driver.release(binding);
    expect(f.api.store.get(NAMESPACE, binding.sandboxId)).toBeUndefined();
    await eventually(() => harness?.hasExited() === true, 'the sandbox harness to stop');
    const deletes = f.claimRequests().filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.status)).toEqual([200]);

    await f.driver.release(binding); // 404 is fine
    expect(f.logs.filter((l) => l.message === 'sandbox released')).toHaveLength(1);
  });

  it('leaves a newer claim of the same session alone when an old binding is released late', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const request = f.request();
    const old = await f.driver.acquire(request);
    // the old sandbox died; the runtime deleted its claim and claimed again for the session
    f.api.deleteClaim(NAMESPACE, old.sandboxId);
    await eventually(() => f.controller.sandboxOf(NAMESPACE, old.sandboxId)?.process === undefined, 'the old sandbox to stop');
    const current = await f.driver.acquire(request);
    expect(current.sandboxId).toBe(old.sandboxId); // same session, same claim name

    await f.driver.release(old);
    expect(f.api.store.get(NAMESPACE, current.sandboxId)).toBeDefined();
    expect(await f.driver.isAlive(current)).toBe(true);
    expect(f.logs.some((l) => l.message.startsWith('release: the claim now holds a newer sandbox'))).toBe(true);
  });

  it('says what failed when the API server refuses the delete, so the runtime can retry', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    f.api.failNext({ method: 'DELETE', status: 500, reason: 'InternalError', message: 'etcd unavailable' });
    const error = await f.driver.release(binding).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect(error).toMatchObject({ code: 'driver_error', terminal: false });
    expect((error as Error).message).toMatch(/releasing SandboxClaim ".*" in namespace "team-a": .*500 InternalError: etcd unavailable/);
    await f.driver.release(binding);
    expect(f.api.store.get(NAMESPACE, binding.sandboxId)).toBeUndefined();
  });
});

describe('KubernetesSandboxDriver.isAlive', () => {
  it('is true for a live, bound sandbox — also for a restarted runtime that only has the stored binding', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    expect(await f.driver.isAlive(binding)).toBe(true);
    const restarted = f.newDriver();
    expect(await restarted.isAlive(JSON.parse(JSON.stringify(binding)))).toBe(true);
  });

  it('is false once the sandbox is deleted behind the claim (claim no longer Ready)', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    await f.controller.deleteSandbox(NAMESPACE, binding.sandboxId);
    expect(await f.driver.isAlive(binding)).toBe(false);
  });

  it('is false when agent-sandbox gave the claim a replacement sandbox (Ready again, but another one)', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    await f.controller.deleteSandbox(NAMESPACE, binding.sandboxId, { replace: true });
    await eventually(() => {
      const sandbox = f.api.store.get(NAMESPACE, binding.sandboxId)?.status?.sandbox?.name;
      return sandbox !== undefined && sandbox !== binding.sandboxName;
    }, 'the replacement sandbox');
    expect(await f.driver.isAlive(binding)).toBe(false);
  });

  it('is false when the harness restarted in place (same sandbox, no longer bound to the token)', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    // same Sandbox name and IP in the claim, but the process behind the port lost its token
    const pool = { namespace: NAMESPACE, port: f.port };
    await f.controller.sandboxOf(NAMESPACE, binding.sandboxId)?.process?.kill();
    const restarted = await scriptedHarnessLauncher().start({ port: pool.port, env: {} });
    try {
      await waitForHealthz(pool.port, { timeoutMs: 20_000, process: restarted });
      expect(f.api.store.get(NAMESPACE, binding.sandboxId)?.status?.sandbox?.name).toBe(binding.sandboxName);
      expect(await f.driver.isAlive(binding)).toBe(false);
      // the API's word alone still holds: only a harness call (the keeper's abort) can tell
      expect(await f.driver.holdsIncarnation(binding)).toBe(true);
      const keeper = new SandboxKeeper(undefined as unknown as pg.Pool, f.driver, new RuntimeMetrics({ defaultMetrics: false }), silentLogger);
      expect(await keeper.check(binding, new AbortController().signal)).toEqual({ ok: false, reason: "the sandbox no longer accepts this session's token (it was replaced)" });
    } finally {
      await restarted.stop();
    }
  });

  it('is false when the claim is gone, and for a binding whose token is not the one the claim was bound with', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    expect(await f.driver.isAlive({ ...binding, token: 'z'.repeat(43) })).toBe(false);
    expect(await f.driver.isAlive({ ...binding, driver: 'local' })).toBe(false);
    expect(await f.driver.holdsIncarnation({ ...binding, token: 'z'.repeat(43) })).toBe(false);
    expect(await f.driver.holdsIncarnation(binding)).toBe(true);
    await f.driver.release(binding);
    expect(await f.driver.isAlive(binding)).toBe(false);
    expect(await f.driver.holdsIncarnation(binding)).toBe(false);
  });

  it('is false when the claim was re-annotated for another token, even while everything else still matches', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    expect(await f.driver.isAlive(binding)).toBe(true);
    // another incarnation (another replica's acquire) now owns the claim: only its token hash
    // differs; sandbox name, IP and the harness bound to our token are all unchanged
    const claim = f.api.store.get(NAMESPACE, binding.sandboxId)!;
    f.api.store.replace(NAMESPACE, binding.sandboxId, { metadata: { ...claim.metadata, annotations: { ...claim.metadata.annotations, [TOKEN_HASH_ANNOTATION]: sha256('another-token') } }, spec: claim.spec });
    expect(f.api.store.get(NAMESPACE, binding.sandboxId)?.status?.sandbox?.name).toBe(binding.sandboxName);
    expect(await f.driver.isAlive(binding)).toBe(false);
  });

  it('throws (rather than answering false) when the API server cannot be asked', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const binding = await f.driver.acquire(f.request());
    f.api.failNext({ method: 'GET', watch: false, status: 503, reason: 'ServiceUnavailable', message: 'apiserver is shutting down' });
    await expect(f.driver.isAlive(binding)).rejects.toMatchObject({ name: 'SandboxError', code: 'driver_error', terminal: false });
    expect(await f.driver.isAlive(binding)).toBe(true);
  });
});
