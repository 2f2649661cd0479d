/**
 * The runtime process (runtime/main.ts) with the Kubernetes driver, end to end: PADDOCK_DRIVER=
 * kubernetes and a KUBECONFIG pointing at the fake API server (test/support/fake-kube-api), whose
 * fake agent-sandbox controller makes each SandboxClaim Ready and starts the real scripted harness
 * as the claim's sandbox. Session, claim, Ready, bind, turn, abort, end, release; a claim that
 * never gets Ready; RBAC answering 403; a watch cut while the claim is not Ready yet; a runtime
 * SIGKILLed and started again re-attaching to its session's sandbox.
 */
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RUNTIME_ENV } from '../../config/names.ts';
import type { RuntimeHarnessConfig } from '../../config/runtime-config.ts';
import { hashToken } from '../../runtime/auth.ts';
import { SESSION_LABEL, TOKEN_HASH_ANNOTATION } from '../../runtime/drivers/kubernetes/sandbox-claim.ts';
import { FakeKubeApiServer } from '../support/fake-kube-api/fake-kube-api-server.ts';
import { FakeSandboxController } from '../support/fake-kube-api/fake-sandbox-controller.ts';
import { freeLoopbackPort } from '../support/fake-kube-api/harness-process.ts';
import { startTestPostgres, type TestPostgres } from './support/postgres.ts';
import { Api, runtimeProcessFiles, spawnRuntime, testConfig, textOf, TOKENS, type RuntimeProcess, type RuntimeProcessFiles } from './support/runtime.ts';

const GAMMA_TOKEN = 'pdk_test-gamma-token-0000000000000000000000';
const DELTA_TOKEN = 'pdk_test-delta-token-0000000000000000000000';
const READY_SECONDS = 8;

let server: TestPostgres;
let kube: FakeKubeApiServer;
let controller: FakeSandboxController;
let files: RuntimeProcessFiles;
let databaseUrl: string;
let runtimeEnv: Record<string, string>;
let runtime: RuntimeProcess;
const ports: Record<'alpha' | 'beta' | 'gamma' | 'delta', number> = { alpha: 0, beta: 0, gamma: 0, delta: 0 };

const harness = (port: number): RuntimeHarnessConfig => ({ name: 'scripted', warmPool: 'scripted', port, modelGatewayEnv: [] });

beforeAll(async () => {
  server = await startTestPostgres();
  kube = await FakeKubeApiServer.start();
  controller = new FakeSandboxController(kube).start();
  for (const team of Object.keys(ports) as (keyof typeof ports)[]) ports[team] = await freeLoopbackPort();
  controller.addWarmPool({ namespace: 'team-alpha', name: 'scripted', port: ports.alpha });
  // a pool whose sandboxes never start: its claims stay Ready=False SandboxNotReady
  controller.addWarmPool({ namespace: 'team-beta', name: 'scripted', port: ports.beta, readyDelayMs: 600_000 });
  controller.addWarmPool({ namespace: 'team-gamma', name: 'scripted', port: ports.gamma });
  // slow to start, so a watch can be cut while the claim waits
  controller.addWarmPool({ namespace: 'team-delta', name: 'scripted', port: ports.delta, readyDelayMs: 1_000 });
  // gamma's namespace and the runtime's RoleBinding in it are not applied yet: RBAC answers 403
  kube.withoutTeamBundle('team-gamma');

  const config = testConfig({
    teams: [
      { name: 'alpha', namespace: 'team-alpha', env: {}, harnesses: [harness(ports.alpha)] },
      { name: 'beta', namespace: 'team-beta', env: {}, harnesses: [harness(ports.beta)] },
      { name: 'gamma', namespace: 'team-gamma', env: {}, harnesses: [harness(ports.gamma)] },
      { name: 'delta', namespace: 'team-delta', env: {}, harnesses: [harness(ports.delta)] },
    ],
  });
  databaseUrl = await server.createDatabase();
  files = runtimeProcessFiles(databaseUrl, config);
  writeFileSync(join(files.dir, 'tokens', 'team.gamma'), `${hashToken(GAMMA_TOKEN)}\n`);
  writeFileSync(join(files.dir, 'tokens', 'team.delta'), `${hashToken(DELTA_TOKEN)}\n`);
  const kubeconfig = join(files.dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // the fake server speaks plain HTTP, which client-node allows only with TLS verification off
      clusters: [{ name: 'fake', cluster: { server: kube.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'paddock-runtime', user: { token: kube.token } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'paddock-runtime' } }],
      'current-context': 'fake',
    }),
    { mode: 0o600 },
  );
  runtimeEnv = { ...files.env, [RUNTIME_ENV.driver]: 'kubernetes', KUBECONFIG: kubeconfig, PADDOCK_CLAIM_READY_SECONDS: String(READY_SECONDS) };
  runtime = await spawnRuntime(runtimeEnv);
  await runtime.waitReady();
});

afterAll(async () => {
  if (runtime && runtime.child.exitCode === null) {
    runtime.child.kill('SIGTERM');
    await runtime.exited;
  }
  await controller?.stop();
  await kube?.close();
  await server?.stop();
  if (files) rmSync(files.dir, { recursive: true, force: true });
});

async function until<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}; runtime log: ${runtime.output().slice(-1500)}`);
    await delay(50);
  }
}

describe('the runtime process with the kubernetes driver', () => {
  it('claims a sandbox for a session, binds it, runs and aborts turns in it, and releases the claim when the session ends', async () => {
    const api = new Api(runtime.url, TOKENS.alpha);
    const id = await api.createSession('scripted', 'on kubernetes');
    const first = await api.waitForDone(id, await api.send(id, 'hello kubernetes'), 30_000);
    expect(textOf(first)).toBe('I heard: hello kubernetes (turn 1, 0 history messages)');
    expect(first.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });

    // one claim, in the team's namespace, for this session, Ready, carrying the bound token's hash
    const claims = kube.store.list('team-alpha');
    expect(claims).toHaveLength(1);
    const claim = claims[0]!;
    expect(claim.metadata.labels?.[SESSION_LABEL]).toBe(id);
    expect(claim.spec.warmPoolRef).toEqual({ name: 'scripted' });
    // the binding the runtime stored: this claim, its harness endpoint, the token whose hash the claim carries
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const binding = await db.query<{ driver: string; sandbox_id: string; namespace: string; endpoint: string; token: string }>('SELECT driver, sandbox_id, namespace, endpoint, token FROM sandbox_bindings WHERE session_id = $1', [id]).finally(() => db.end());
    expect(binding.rows).toHaveLength(1);
    const bound = binding.rows[0]!;
    expect(bound).toMatchObject({ driver: 'kubernetes', sandbox_id: claim.metadata.name, namespace: 'team-alpha', endpoint: `http://127.0.0.1:${ports.alpha}` });
    expect(claim.metadata.annotations?.[TOKEN_HASH_ANNOTATION]).toBe(createHash('sha256').update(bound.token).digest('hex'));
    expect(claim.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    const sandbox = controller.sandboxOf('team-alpha', claim.metadata.name);
    expect(sandbox?.process?.hasExited()).toBe(false);
    // the harness is bound: a second bind is refused
    const rebind = await fetch(`http://127.0.0.1:${ports.alpha}/v1/bind`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'x'.repeat(43) }) });
    expect(rebind.status).toBe(409);

    // abort a streaming turn
    const slow = await api.send(id, '/slow 300 one two three four five six seven eight nine ten');
    await until(() => api.events(id), (events) => events.some((e) => e.turn === slow && e.type === 'text_delta'), 'the slow turn to stream');
    expect((await api.request('POST', `/v1/sessions/${id}/abort`)).status).toBe(202);
    const aborted = await api.waitForDone(id, slow, 30_000);
    expect(aborted.at(-1)).toMatchObject({ type: 'done', stopReason: 'aborted' });

    // the same sandbox serves the next turn
    const next = await api.waitForDone(id, await api.send(id, 'still there?'), 30_000);
    expect(next.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
    expect(kube.store.list('team-alpha').map((c) => c.metadata.uid)).toEqual([claim.metadata.uid]);

    // end: the claim is deleted, agent-sandbox stops the sandbox
    expect((await api.request('DELETE', `/v1/sessions/${id}`)).status).toBeLessThan(300);
    await until(() => kube.store.list('team-alpha').length, (n) => n === 0, 'the claim to be released');
    await until(() => sandbox?.process?.hasExited() ?? true, (gone) => gone, 'the sandbox harness to stop');
    expect(kube.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/sandboxclaims/${claim.metadata.name}`))).toBe(true);
  });

  it('fails the turn with ready_timeout, naming the claim and its last reason, when the claim never gets Ready; the runtime goes on', async () => {
    const api = new Api(runtime.url, TOKENS.beta);
    const id = await api.createSession();
    const started = Date.now();
    const events = await api.waitForDone(id, await api.send(id, 'anyone?'), 40_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(READY_SECONDS * 1000 - 200);
    const error = events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ code: 'ready_timeout' });
    expect(error.message).toMatch(new RegExp(`did not become Ready within ${READY_SECONDS} s \\(last reason SandboxNotReady`));
    expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: 'error' });
    // the claim is not left behind
    await until(() => kube.store.list('team-beta').length, (n) => n === 0, 'the unready claim to be deleted');
    expect(runtime.child.exitCode).toBe(null);
    expect((await fetch(`${runtime.url}/readyz`)).status).toBe(200);
  });

  it('reports RBAC refusing the claim (403) as a retryable team_not_ready error, and serves the session once the bundle is applied', async () => {
    const api = new Api(runtime.url, GAMMA_TOKEN);
    const id = await api.createSession();
    const refused = await api.waitForDone(id, await api.send(id, 'hello'), 30_000);
    expect(kube.requests.some((r) => r.path.includes('/namespaces/team-gamma/') && r.status === 403)).toBe(true);
    expect(refused.find((e) => e.type === 'error')).toMatchObject({ code: 'team_not_ready', retryable: true });
    expect((await api.request('GET', `/v1/sessions/${id}`)).body.session).toMatchObject({ state: 'active' });

    kube.applyTeamBundle('team-gamma');
    const served = await api.waitForDone(id, await api.send(id, 'hello again'), 30_000);
    expect(served.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
    expect(kube.store.list('team-gamma')).toHaveLength(1);
  });

  it('picks the claim up again when its watch is cut before it is Ready', async () => {
    const api = new Api(runtime.url, DELTA_TOKEN);
    const id = await api.createSession();
    const mark = kube.requests.length;
    const turn = await api.send(id, 'through a cut watch');
    await kube.waitForRequest((r) => r.method === 'POST' && r.path.endsWith('/namespaces/team-delta/sandboxclaims'), { after: mark, timeoutMs: 15_000 });
    await until(() => kube.activeWatches, (n) => n > 0, 'the claim watch');
    expect(kube.store.list('team-delta')[0]?.status?.conditions?.find((c) => c.type === 'Ready')?.status).not.toBe('True');
    expect(kube.dropWatches()).toBeGreaterThan(0);

    const events = await api.waitForDone(id, turn, 30_000);
    expect(events.find((e) => e.type === 'error')).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
    const watches = kube.requests.slice(mark).filter((r) => r.watch && r.path.includes('/namespaces/team-delta/'));
    expect(watches.length).toBeGreaterThanOrEqual(2);
  });

  it('re-attaches to the session\'s sandbox after the runtime process is SIGKILLed and started again', async () => {
    let api = new Api(runtime.url, TOKENS.alpha);
    const id = await api.createSession();
    expect((await api.waitForDone(id, await api.send(id, 'before the crash'), 30_000)).at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
    const [claim] = kube.store.list('team-alpha');
    const harness = controller.sandboxOf('team-alpha', claim!.metadata.name)?.process;
    expect(harness?.hasExited()).toBe(false);

    runtime.child.kill('SIGKILL');
    expect(await runtime.exited).toBe(null);
    const mark = kube.requests.length;
    runtime = await spawnRuntime(runtimeEnv);
    await runtime.waitReady();
    api = new Api(runtime.url, TOKENS.alpha);
    const after = await api.waitForDone(id, await api.send(id, 'after the crash'), 30_000);
    expect(textOf(after)).toBe('I heard: after the crash (turn 2, 2 history messages)');

    // the same claim and harness process: checked (GET of the claim, its token hash), not replaced
    expect(kube.store.list('team-alpha').map((c) => c.metadata.uid)).toEqual([claim!.metadata.uid]);
    expect(controller.sandboxOf('team-alpha', claim!.metadata.name)?.process?.pid).toBe(harness!.pid);
    const since = kube.requests.slice(mark).filter((r) => r.path.includes('/namespaces/team-alpha/'));
    expect(since.some((r) => r.method === 'GET' && !r.watch && r.path.endsWith(`/sandboxclaims/${claim!.metadata.name}`))).toBe(true);
    expect(since.filter((r) => r.method === 'POST' || r.method === 'DELETE')).toEqual([]);
  });

  it('stops on SIGTERM with exit 0', async () => {
    runtime.child.kill('SIGTERM');
    expect(await runtime.exited).toBe(0);
    expect(runtime.output()).toContain('"stopped"');
  });
});
