/**
 * A session's sandbox is claimed when the session opens, not when its first message arrives:
 * the first turn starts on it at once, a message that comes early waits for it (one sandbox,
 * never two), and a session ended meanwhile gives it back.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
