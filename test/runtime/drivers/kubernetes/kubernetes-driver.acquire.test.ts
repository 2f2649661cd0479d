/**
 * KubernetesSandboxDriver.acquire against the fake API server and the fake agent-sandbox
 * controller, with the real scripted harness as the sandbox: claim → Ready seen through a
 * watch (no polling) → warm sandbox name and pod IP → bound with a fresh token → usable.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { HarnessClient } from '../../../../harnesses/protocol/client.ts';
import { HARNESS_LABEL, TEAM_LABEL } from '../../../../config/names.ts';
import { SESSION_ID_ANNOTATION, SESSION_LABEL, TOKEN_HASH_ANNOTATION } from '../../../../runtime/drivers/kubernetes/sandbox-claim.ts';
import { freeLoopbackPort } from '../../../support/fake-kube-api/harness-process.ts';
import { NAMESPACE, POOL, startDriverFixture, type DriverFixture } from './driver-fixture.ts';

let fixture: DriverFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('KubernetesSandboxDriver.acquire', () => {
  it('claims from the warm pool, waits for Ready with a watch (no polling), and binds the warm sandbox to a fresh token', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 300 } });
    const { api, driver, port } = fixture;
    const request = fixture.request();

    const binding = await driver.acquire(request);

    const claimName = `session-${request.sessionId}`;
    expect(binding).toMatchObject({ driver: 'kubernetes', sandboxId: claimName, namespace: NAMESPACE, endpoint: `http://127.0.0.1:${port}` });
    // a warm sandbox keeps its generated name: never the claim's
    expect(binding.sandboxName).toMatch(new RegExp(`^${POOL}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    expect(binding.sandboxName).not.toBe(binding.sandboxId);
    expect(binding.sandboxName).toBe(fixture.controller.sandboxOf(NAMESPACE, claimName)?.name);
    expect(binding.token.length).toBeGreaterThanOrEqual(32);

    const claim = api.store.get(NAMESPACE, claimName);
    expect(claim?.spec).toEqual({ warmPoolRef: { name: POOL }, lifecycle: { shutdownPolicy: 'Delete' } });
    expect(claim?.metadata.labels).toMatchObject({ [TEAM_LABEL]: 'a', [HARNESS_LABEL]: 'scripted', [SESSION_LABEL]: request.sessionId });
    expect(claim?.metadata.annotations).toEqual({
      [SESSION_ID_ANNOTATION]: request.sessionId,
      [TOKEN_HASH_ANNOTATION]: createHash('sha256').update(binding.token).digest('hex'),
    });

    // One create, then only watch requests: not a single GET or LIST of the claim.
    const calls = fixture.claimRequests();
    expect(calls.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(calls.filter((r) => r.method === 'GET' && !r.watch), api.describeRequests()).toHaveLength(0);
    const watches = calls.filter((r) => r.watch);
    expect(watches).toHaveLength(1);
    expect(watches[0]?.query).toMatchObject({ fieldSelector: `metadata.name=${claimName}`, allowWatchBookmarks: 'true' });
    // the watch starts at the create's resourceVersion: nothing in between can be missed
    const createdVersion = Number(watches[0]?.query.resourceVersion);
    expect(createdVersion).toBeGreaterThan(1000);
    expect(createdVersion).toBeLessThan(Number(claim?.metadata.resourceVersion));

    // The harness is bound to exactly this token: it answers us and refuses anyone else.
    const harness = new HarnessClient(binding.endpoint, binding.token);
    expect(await harness.health()).toMatchObject({ bound: true, harness: 'scripted' });
    expect(await harness.status()).toMatchObject({ busy: false });
    await expect(new HarnessClient(binding.endpoint, 'x'.repeat(43)).status()).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(new HarnessClient(binding.endpoint).bind('y'.repeat(43))).rejects.toMatchObject({ code: 'already_bound' });
    const text: string[] = [];
    for await (const event of harness.turn({ sessionId: request.sessionId, turn: 1, input: 'hello sandbox', history: [] })) {
      if (event.type === 'text_delta') text.push(event.text);
    }
    expect(text.join('')).toContain('I heard: hello sandbox');
  });

  it('reports the claim latency once per acquire, marked warm, and never logs the token', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 200 } });
    const started = Date.now();
    const binding = await fixture.driver.acquire(fixture.request());
    const elapsed = Date.now() - started;

    expect(fixture.latencies).toHaveLength(1);
    const [latency] = fixture.latencies;
    expect(latency?.info).toEqual({ team: 'a', harness: 'scripted', namespace: NAMESPACE, warm: true, adopted: false });
    expect(latency?.ms).toBeGreaterThanOrEqual(200); // the controller's ready delay
    expect(latency?.ms).toBeLessThanOrEqual(elapsed);

    const logged = JSON.stringify(fixture.logs);
    expect(fixture.logs.map((l) => l.message)).toEqual(expect.arrayContaining(['sandbox claim created', 'sandbox claim ready', 'harness bound']));
    expect(logged).not.toContain(binding.token);
    expect(logged).not.toContain(createHash('sha256').update(binding.token).digest('hex'));
  });

  it('names a cold-started sandbox like its claim, and says the claim was not warm', async () => {
    fixture = await startDriverFixture({ pool: { cold: true } });
    const binding = await fixture.driver.acquire(fixture.request());
    expect(binding.sandboxName).toBe(binding.sandboxId);
    expect(fixture.latencies[0]?.info.warm).toBe(false);
  });

  it('retries until the harness answers when the claim turns Ready before the harness listens', async () => {
    fixture = await startDriverFixture({ pool: { readyBeforeHarnessListens: true } });
    const binding = await fixture.driver.acquire(fixture.request());
    expect(await new HarnessClient(binding.endpoint, binding.token).status()).toMatchObject({ busy: false });
    const bound = fixture.logs.find((l) => l.message === 'harness bound');
    expect(bound?.fields.attempts).toBeGreaterThan(1);
  });

  it('gives two sessions two claims, two sandboxes and two tokens', async () => {
    fixture = await startDriverFixture();
    const first = await fixture.driver.acquire(fixture.request());
    // the pool's single loopback port is taken by the first sandbox: a second pool for the second
    const secondPort = await freeLoopbackPort();
    fixture.controller.addWarmPool({ namespace: NAMESPACE, name: 'scripted-b', port: secondPort });
    const second = await fixture.driver.acquire({ ...fixture.request(), harness: { ...fixture.harness, warmPool: 'scripted-b', port: secondPort } });
    expect(second.sandboxId).not.toBe(first.sandboxId);
    expect(second.sandboxName).not.toBe(first.sandboxName);
    expect(second.token).not.toBe(first.token);
    expect(fixture.api.store.list(NAMESPACE)).toHaveLength(2);
  });
});
