/**
 * The claim name is derived from the session id, so an acquire retried after a runtime crash
 * meets the claim its predecessor created (409 AlreadyExists). The driver adopts it when it is
 * usable, and otherwise (terminating, failed, harness bound to a lost token) replaces it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { HarnessClient } from '../../../../harnesses/protocol/client.ts';
import { claimIdentityForSession } from '../../../../runtime/drivers/kubernetes/claim-name.ts';
import { buildSandboxClaim, TOKEN_HASH_ANNOTATION } from '../../../../runtime/drivers/kubernetes/sandbox-claim.ts';
import { SandboxError, type SandboxRequest } from '../../../../runtime/drivers/sandbox-driver.ts';
import { eventually, NAMESPACE, POOL, startDriverFixture, type DriverFixture } from './driver-fixture.ts';

let fixture: DriverFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const target = { group: 'extensions.agents.x-k8s.io', version: 'v1beta1', namespace: NAMESPACE, plural: 'sandboxclaims' };

/** What a runtime that crashed mid-acquire leaves behind: the session's claim, made by an earlier process. */
async function leftoverClaim(f: DriverFixture, request: SandboxRequest, overrides: { labels?: Record<string, string> } = {}) {
  const identity = claimIdentityForSession(request.sessionId);
  const body = buildSandboxClaim({
    name: identity.name,
    namespace: NAMESPACE,
    warmPool: request.harness.warmPool,
    team: request.team.name,
    harness: request.harness.name,
    sessionId: request.sessionId,
    sessionKey: identity.sessionKey,
    tokenSha256: createHash('sha256').update(randomBytes(32)).digest('hex'),
  });
  if (overrides.labels) body.metadata.labels = overrides.labels;
  await f.api.kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...target, body });
  return identity.name;
}

const readyName = (f: DriverFixture, claim: string) => f.api.store.get(NAMESPACE, claim)?.status?.sandbox?.name;

describe('KubernetesSandboxDriver adoption of an existing claim (409 AlreadyExists)', () => {
  it('adopts the claim a crashed runtime left, with its warm sandbox, and binds it to a new token', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const request = f.request();
    const claimName = await leftoverClaim(f, request);
    await eventually(() => readyName(f, claimName) !== undefined, 'the leftover claim to be Ready');
    const before = f.api.store.get(NAMESPACE, claimName);
    const mark = f.api.requests.length;

    const binding = await f.driver.acquire(request);

    expect(binding.sandboxId).toBe(claimName);
    expect(binding.sandboxName).toBe(before?.status?.sandbox?.name);
    const after = f.api.store.get(NAMESPACE, claimName);
    expect(after?.metadata.uid).toBe(before?.metadata.uid);
    expect(after?.metadata.annotations?.[TOKEN_HASH_ANNOTATION]).toBe(createHash('sha256').update(binding.token).digest('hex'));
    expect(f.claimRequests(mark).map((r) => `${r.method} ${r.status}`)).toEqual(['POST 409', 'GET 200', 'PUT 200']);
    expect(f.latencies[0]?.info.adopted).toBe(true);
    expect(await new HarnessClient(binding.endpoint, binding.token).status()).toMatchObject({ busy: false });
  });

  it('adopts a leftover claim that is still starting and waits for it with the watch', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 800 } });
    const f = fixture;
    const request = f.request();
    const claimName = await leftoverClaim(f, request);
    const binding = await f.driver.acquire(request);
    expect(binding.sandboxName).toBe(readyName(f, claimName));
    expect(f.claimRequests().filter((r) => r.method === 'DELETE')).toHaveLength(0);
  });

  it('replaces a leftover claim whose harness is already bound to a token nobody has any more', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const request = f.request();
    const claimName = await leftoverClaim(f, request);
    await eventually(() => readyName(f, claimName) !== undefined, 'the leftover claim to be Ready');
    const old = f.api.store.get(NAMESPACE, claimName);
    const oldProcess = f.controller.sandboxOf(NAMESPACE, claimName)?.process;
    // the crashed runtime got as far as binding it
    await new HarnessClient(`http://127.0.0.1:${f.port}`).bind(randomBytes(32).toString('base64url'));

    const binding = await f.driver.acquire(request);

    const fresh = f.api.store.get(NAMESPACE, claimName);
    expect(fresh?.metadata.uid).not.toBe(old?.metadata.uid);
    expect(binding.sandboxName).not.toBe(old?.status?.sandbox?.name);
    expect(oldProcess?.hasExited()).toBe(true);
    expect(await new HarnessClient(binding.endpoint, binding.token).status()).toMatchObject({ busy: false });
    expect(f.logs.some((l) => l.message === 'claimed sandbox was already bound; replacing the claim')).toBe(true);
  });

  it('waits for a terminating claim of the session to be gone, then creates a new one', async () => {
    fixture = await startDriverFixture({ api: { deletionDelayMs: 600 } });
    const f = fixture;
    const request = f.request();
    const claimName = await leftoverClaim(f, request);
    const old = f.api.store.get(NAMESPACE, claimName);
    f.api.deleteClaim(NAMESPACE, claimName);
    expect(f.api.store.get(NAMESPACE, claimName)?.metadata.deletionTimestamp).toBeDefined();

    const binding = await f.driver.acquire(request);

    expect(f.api.store.get(NAMESPACE, claimName)?.metadata.uid).not.toBe(old?.metadata.uid);
    expect(binding.sandboxId).toBe(claimName);
    const posts = f.claimRequests().filter((r) => r.method === 'POST').map((r) => r.status);
    expect(posts).toEqual([201, 409, 201]); // leftover, the collision, the new claim
  });

  it('replaces a leftover claim that failed (its pool was missing then and exists now)', async () => {
    fixture = await startDriverFixture({ pool: false });
    const f = fixture;
    const request = f.request();
    const claimName = await leftoverClaim(f, request);
    await eventually(() => f.api.store.get(NAMESPACE, claimName)?.status?.conditions?.[0]?.reason === 'WarmPoolNotFound', 'WarmPoolNotFound');
    f.controller.addWarmPool({ namespace: NAMESPACE, name: POOL, port: f.port });

    const binding = await f.driver.acquire(request);
    expect(binding.sandboxName).toBe(readyName(f, claimName));
    expect(f.claimRequests().filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([200]);
  });

  it('refuses to touch a claim of the same name that paddock did not create', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    const request = f.request();
    const claimName = await leftoverClaim(f, request, { labels: { app: 'someone-else' } });
    const error = await f.driver.acquire(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect(error).toMatchObject({ code: 'driver_error', terminal: true });
    expect((error as Error).message).toMatch(new RegExp(`SandboxClaim "${claimName}" in namespace "${NAMESPACE}" already exists and was not created by paddock`));
    expect(f.api.store.get(NAMESPACE, claimName)?.metadata.labels).toEqual({ app: 'someone-else' });
    expect(f.claimRequests().filter((r) => r.method === 'DELETE' || r.method === 'PUT')).toHaveLength(0);
  });
});
