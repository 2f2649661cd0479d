/**
 * How acquire fails: terminal claim reasons become a SandboxError with a clear message and the
 * matching code, transient reasons are waited out, and a timeout, an abort, a closed driver or a
 * Kubernetes API error each end the acquire — never leaving a claim behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxError } from '../../../../runtime/drivers/sandbox-driver.ts';
import { commandLauncher } from '../../../support/fake-kube-api/harness-process.ts';
import { eventually, NAMESPACE, POOL, startDriverFixture, type DriverFixture } from './driver-fixture.ts';

let fixture: DriverFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  if (!outcome) throw new Error('expected acquire to fail');
  return outcome;
}

/** No claim and no running harness are left behind (bounded wait for the async cleanup). */
async function expectNothingLeft(f: DriverFixture): Promise<void> {
  await eventually(() => f.api.store.list(NAMESPACE).length === 0, 'the claim to be deleted');
  await eventually(() => f.controller.processes.every((p) => p.hasExited()), 'every harness process to stop');
}

describe('KubernetesSandboxDriver.acquire failures', () => {
  it('fails fast with warm_pool_not_found, naming the pool, retryable (the team\'s bundle may come later), when the team has no such warm pool', async () => {
    fixture = await startDriverFixture({ pool: false });
    const error = await failure(fixture.driver.acquire(fixture.request()));
    expect(error).toBeInstanceOf(SandboxError);
    expect(error).toMatchObject({ code: 'warm_pool_not_found', terminal: false });
    expect(error.message).toContain('retryable once it is');
    expect(error.message).toContain(`failed with reason WarmPoolNotFound`);
    expect(error.message).toContain(`SandboxWarmPool "${POOL}" not found`);
    expect(error.message).toContain(`namespace "${NAMESPACE}"`);
    await expectNothingLeft(fixture);
    expect(fixture.latencies).toHaveLength(0);
  });

  it.each([
    ['TemplateNotFound', 'template_not_found', false],
    ['InvalidMetadata', 'claim_rejected', true],
    ['EnvVarsInjectionRejected', 'claim_rejected', true],
    ['VolumeClaimTemplatesError', 'claim_rejected', true],
    ['SandboxExpired', 'sandbox_expired', false],
  ] as const)('maps the claim reason %s to %s (terminal %s) and deletes the claim', async (reason, code, terminal) => {
    fixture = await startDriverFixture({ pool: { failWith: { reason, message: `agent-sandbox says ${reason}` } } });
    const error = await failure(fixture.driver.acquire(fixture.request()));
    expect(error).toMatchObject({ name: 'SandboxError', code, terminal });
    expect(error.message).toContain(`agent-sandbox says ${reason}`);
    await expectNothingLeft(fixture);
  });

  it('waits through transient reasons (SandboxCreatePending, ReconcilerError, SandboxNotReady) until Ready', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 1_200 } });
    const f = fixture;
    const request = f.request();
    const claimName = `session-${request.sessionId}`;
    const acquiring = f.driver.acquire(request);
    await f.api.waitForRequest((r) => r.watch && r.status === 200);
    for (const reason of ['SandboxCreatePending', 'ReconcilerError', 'SandboxNotReady']) {
      await new Promise((r) => setTimeout(r, 100));
      f.api.store.updateStatus(NAMESPACE, claimName, (status) => {
        status.conditions = [{ type: 'Ready', status: 'False', reason, message: `transient ${reason}`, lastTransitionTime: new Date().toISOString() }];
      });
    }
    const binding = await acquiring;
    expect(binding.sandboxName).toMatch(new RegExp(`^${POOL}-`));
    const seen = f.logs.filter((l) => l.message === 'sandbox claim pending').map((l) => l.fields.reason);
    expect(seen).toEqual(expect.arrayContaining(['SandboxCreatePending', 'ReconcilerError', 'SandboxNotReady']));
  });

  it('fails with sandbox_expired (not terminal) when the claim expires while waiting, as agent-sandbox deletes it', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 5_000 } });
    const f = fixture;
    const request = f.request();
    const acquiring = f.driver.acquire(request);
    await f.api.waitForRequest((r) => r.watch && r.status === 200);
    await f.controller.expireClaim(NAMESPACE, `session-${request.sessionId}`);
    const error = await failure(acquiring);
    expect(error).toMatchObject({ code: 'sandbox_expired', terminal: false });
    expect(error.message).toContain('ClaimExpired');
    await expectNothingLeft(f);
  });

  it('fails with sandbox_expired when something else deletes the claim while waiting', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 5_000 } });
    const f = fixture;
    const request = f.request();
    const acquiring = f.driver.acquire(request);
    await f.api.waitForRequest((r) => r.watch && r.status === 200);
    f.api.deleteClaim(NAMESPACE, `session-${request.sessionId}`);
    const error = await failure(acquiring);
    expect(error).toMatchObject({ code: 'sandbox_expired', terminal: false });
    expect(error.message).toMatch(/was deleted while waiting for it to become Ready/);
  });

  it('gives up with ready_timeout (not terminal), naming the last reason, and deletes the claim', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 60_000 }, driver: { readyTimeoutMs: 700 } });
    const started = Date.now();
    const error = await failure(fixture.driver.acquire(fixture.request()));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({ code: 'ready_timeout', terminal: false });
    expect(error.message).toMatch(/did not become Ready within 1 s \(last reason SandboxNotReady: Sandbox is not ready\)/);
    await expectNothingLeft(fixture);
  });

  it('fails with harness_unavailable when the Ready sandbox never answers the harness protocol', async () => {
    fixture = await startDriverFixture({
      pool: {
        readyBeforeHarnessListens: true,
        // a pod whose container is up but serves nothing on the harness port
        launcher: commandLauncher([process.execPath, '-e', 'setInterval(() => {}, 1000)'], process.cwd()),
      },
      driver: { bindTimeoutMs: 800 },
    });
    const error = await failure(fixture.driver.acquire(fixture.request()));
    expect(error).toMatchObject({ code: 'harness_unavailable', terminal: false });
    expect(error.message).toMatch(/could not be bound in time \(last problem: cannot reach the harness/);
    await expectNothingLeft(fixture);
  });

  it('honours the AbortSignal: rejects with its reason at once and deletes the claim', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 60_000 } });
    const f = fixture;
    const controller = new AbortController();
    const acquiring = f.driver.acquire(f.request(), controller.signal);
    await f.api.waitForRequest((r) => r.watch && r.status === 200);
    const reason = new Error('session deleted by its user');
    const abortedAt = Date.now();
    controller.abort(reason);
    expect(await failure(acquiring)).toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(2_000);
    await expectNothingLeft(f);
    expect(f.api.activeWatches).toBe(0);

    const already = AbortSignal.abort(new Error('too late'));
    expect((await failure(f.driver.acquire(f.request(), already))).message).toBe('too late');
  });

  it('close() ends acquires in flight with driver_error, cleans up, and refuses new ones', async () => {
    fixture = await startDriverFixture({ pool: { readyDelayMs: 60_000 } });
    const f = fixture;
    const acquiring = f.driver.acquire(f.request());
    await f.api.waitForRequest((r) => r.watch && r.status === 200);
    await f.driver.close();
    expect(await failure(acquiring)).toMatchObject({ code: 'driver_error', message: 'the kubernetes sandbox driver was closed' });
    await expectNothingLeft(f);
    expect(await failure(f.driver.acquire(f.request()))).toMatchObject({ code: 'driver_error', message: 'the kubernetes sandbox driver is closed' });
  });

  it('says a team whose bundle is not applied yet is not ready (403 before its RoleBinding exists), retryable, and claims once it is applied', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    f.api.withoutTeamBundle(NAMESPACE);
    const early = await failure(f.driver.acquire(f.request()));
    expect(early).toMatchObject({ name: 'SandboxError', code: 'team_not_ready', terminal: false });
    expect(early.message).toContain(`creating SandboxClaim "session-`);
    expect(early.message).toContain(`403 Forbidden: sandboxclaims.extensions.agents.x-k8s.io is forbidden`);
    expect(early.message).toContain(`in the namespace "${NAMESPACE}"`);
    expect(early.message).toContain(`the team's bundle (namespace, RBAC, templates) is not applied yet`);
    expect(early.message).toContain('retryable');

    f.api.applyTeamBundle(NAMESPACE);
    const binding = await f.driver.acquire(f.request());
    expect(binding.namespace).toBe(NAMESPACE);
    await f.driver.release(binding);
  });

  it('says a missing team namespace is not ready (404 namespaces), retryable; a missing CRD (404 resource) stays terminal', async () => {
    fixture = await startDriverFixture();
    const f = fixture;
    f.api.withoutTeamBundle(NAMESPACE, { rbac: false });
    const missing = await failure(f.driver.acquire(f.request()));
    expect(missing).toMatchObject({ code: 'team_not_ready', terminal: false });
    expect(missing.message).toContain(`404 NotFound: namespaces "${NAMESPACE}" not found — the team's namespace does not exist yet`);
    f.api.applyTeamBundle(NAMESPACE);

    f.api.failNext({ method: 'POST', status: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
    const noCrd = await failure(f.driver.acquire(f.request()));
    expect(noCrd).toMatchObject({ code: 'driver_error', terminal: true });
    expect(noCrd.message).toContain('the SandboxClaim CRD is not installed');
    expect(f.api.store.list(NAMESPACE)).toHaveLength(0);
  });

  it('turns other Kubernetes API refusals into driver_error: 500 retryable, 401 named', async () => {
    fixture = await startDriverFixture();
    const f = fixture;

    f.api.failNext({ method: 'POST', status: 500, reason: 'InternalError', message: 'etcdserver: request timed out' });
    expect(await failure(f.driver.acquire(f.request()))).toMatchObject({ code: 'driver_error', terminal: false });

    const wrongCredentials = f.newDriver({ kubeConfig: f.api.kubeConfig('not-the-token') });
    expect((await failure(wrongCredentials.acquire(f.request()))).message).toMatch(/401 Unauthorized/);
    expect(f.api.store.list(NAMESPACE)).toHaveLength(0);
  });
});
