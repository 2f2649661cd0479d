/**
 * A session's sandbox is claimed when the session opens, not when its first message arrives:
 * the first turn starts on it at once, a message that comes early waits for it (one sandbox,
 * never two) unless the user aborts, a session ended meanwhile gives it back, and a claim that
 * fails leaves the first turn to claim one itself (ADR 0015).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError, type SandboxBinding, type SandboxDriver, type SandboxRequest } from '../../../runtime/drivers/sandbox-driver.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, textOf, TOKENS, type TestRuntime } from '../support/runtime.ts';

let server: TestPostgres;
let rt: TestRuntime;
let db: pg.Pool;
let alpha: Api;
beforeAll(async () => {
  server = await startTestPostgres();
  const databaseUrl = await server.createDatabase();
  rt = await startTestRuntime(databaseUrl);
  db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  alpha = new Api(rt.url, TOKENS.alpha);
});
afterAll(async () => {
  await rt?.close();
  await db?.end();
  await server?.stop();
});

const sandboxEvents = async (id: string) => (await alpha.events(id)).filter((e) => e.type === 'sandbox');

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the sandbox of a new session', () => {
  it('is claimed when the session opens, and its first message starts on it in the same commit', async () => {
    const before = rt.driver.pids.length;
    const id = await alpha.createSession();
    const [acquired] = await until('the sandbox acquired event', () => sandboxEvents(id), (events) => events.length > 0);
    expect(acquired).toMatchObject({ seq: 1, turn: null, action: 'acquired', generation: 1 });
    expect(rt.driver.pids.length).toBe(before + 1);

    const res = await alpha.request('POST', `/v1/sessions/${id}/messages`, { text: 'first' });
    // a sandbox this replica just got is trusted like one that just finished a turn: no check, no queue
    expect(res).toMatchObject({ status: 202, body: { turn: { number: 1, state: 'running', messageSeq: 2 } } });
    const events = await alpha.waitForDone(id, 1);
    expect(events[1]).toMatchObject({ type: 'turn_started', sandboxGeneration: 1 });
    expect(textOf(events)).toBe('I heard: first (turn 1, 0 history messages)');
    expect(await sandboxEvents(id)).toEqual([acquired]);
    expect(rt.driver.pids.length).toBe(before + 1);
  });

  it('is waited for by a message that arrives while it is being claimed: one sandbox, never two', async () => {
    const before = rt.driver.pids.length;
    const id = await alpha.createSession();
    const res = await alpha.request('POST', `/v1/sessions/${id}/messages`, { text: 'early' });
    // starting a harness process takes far longer than this request: the turn had to wait
    expect(res).toMatchObject({ status: 202, body: { turn: { number: 1, state: 'queued' } } });
    const events = await alpha.waitForDone(id, 1);
    expect(events.slice(0, 2)).toMatchObject([{ type: 'user_message' }, { type: 'turn_started', sandboxGeneration: 1 }]);
    expect(textOf(events)).toBe('I heard: early (turn 1, 0 history messages)');
    expect(await sandboxEvents(id)).toEqual([expect.objectContaining({ turn: null, action: 'acquired', generation: 1 })]);
    expect(rt.driver.pids.length).toBe(before + 1);
  });

  it('is given back when the session ends before it is bound', async () => {
    const before = rt.driver.pids.length;
    const id = await alpha.createSession();
    expect((await alpha.request('DELETE', `/v1/sessions/${id}`)).status).toBe(200);
    // the claim completes, finds the session ended, and releases the sandbox at once
    await until('harness processes', async () => rt.driver.pids.length, (n) => n === before);
    const bindings = await db.query('SELECT 1 FROM sandbox_bindings WHERE session_id = $1', [id]);
    expect(bindings.rowCount).toBe(0);
    expect(await sandboxEvents(id)).toEqual([]);
  });
});

/** The local driver behind a gate the test opens, with claims the test can make fail. */
class GatedDriver implements SandboxDriver {
  readonly name = 'local' as const;
  private readonly gate: Promise<void>;
  openGate!: () => void;
  failNext = 0;
  claims = 0;
  constructor(private readonly inner: SandboxDriver) {
    this.gate = new Promise<void>((resolve) => (this.openGate = resolve));
  }
  async acquire(request: SandboxRequest, signal?: AbortSignal): Promise<SandboxBinding> {
    this.claims++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new SandboxError('harness_unavailable', 'the sandbox did not come up (made to fail by the test)', false);
    }
    await this.gate;
    return this.inner.acquire(request, signal);
  }
  isAlive(binding: SandboxBinding): Promise<boolean> {
    return this.inner.isAlive(binding);
  }
  release(binding: SandboxBinding): Promise<void> {
    return this.inner.release(binding);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('while the sandbox of a new session is being claimed', () => {
  let gated: TestRuntime;
  let driver: GatedDriver;
  let api: Api;
  beforeAll(async () => {
    gated = await startTestRuntime(await server.createDatabase(), { wrapDriver: (local) => (driver = new GatedDriver(local)) });
    api = new Api(gated.url, TOKENS.alpha);
  });
  afterAll(async () => {
    driver?.openGate();
    await gated?.close();
  });

  it('a first turn the user aborts ends at once, without waiting for the claim', async () => {
    const id = await api.createSession();
    const turn = await api.send(id, 'never mind');
    await until('the turn to be running', async () => (await api.request('GET', `/v1/sessions/${id}`)).body.session.activeTurn?.state, (state) => state === 'running');
    expect((await api.request('POST', `/v1/sessions/${id}/abort`)).status).toBe(202);
    const events = await api.waitForDone(id, turn, 5_000);
    expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: 'aborted' });
    // only the claim started when the session opened, still held at the gate
    expect(driver.claims).toBe(1);
  });

  it('a failed claim fails nothing: the first turn claims a sandbox itself', async () => {
    driver.openGate();
    driver.failNext = 1;
    const claimsBefore = driver.claims;
    const id = await api.createSession();
    const events = await api.waitForDone(id, await api.send(id, 'still there?'));
    expect(textOf(events)).toBe('I heard: still there? (turn 1, 0 history messages)');
    // the turn's own claim, recorded in the turn
    expect(events.filter((e) => e.type === 'sandbox')).toEqual([expect.objectContaining({ turn: 1, action: 'acquired', generation: 1 })]);
    expect(driver.claims).toBe(claimsBefore + 2);
    const metrics = await (await fetch(`${gated.url}/metrics`)).text();
    expect(metrics).toMatch(/^paddock_sandbox_claim_failures_total\{driver="local",code="harness_unavailable"\} 1$/m);
  });
});
