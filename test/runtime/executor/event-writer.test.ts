/**
 * Durable before visible (event-writer.ts): an event reaches no client, neither a live SSE stream
 * nor a JSON page, before the transaction that stores it has committed. The commit is held open
 * in Postgres itself: a deferred constraint trigger on `events` waits, at COMMIT, for an advisory
 * lock the test holds, so the insert has run but is not yet committed for as long as the test
 * likes.
 */
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, textOf, TOKENS, type TestRuntime } from '../support/runtime.ts';

const LOCK = 731_001;
let server: TestPostgres;
let databaseUrl: string;
let replica: TestRuntime;
let holder: pg.Client;

beforeAll(async () => {
  server = await startTestPostgres();
  databaseUrl = await server.createDatabase();
  replica = await startTestRuntime(databaseUrl);
  holder = new pg.Client({ connectionString: databaseUrl });
  await holder.connect();
  // Deferred: runs at COMMIT, after the INSERT statement itself has finished.
  await holder.query(`
    CREATE FUNCTION test_hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.type = 'text_delta' THEN PERFORM pg_advisory_xact_lock_shared(${LOCK}); END IF;
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER test_hold_commit AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_hold_commit();
  `);
});
afterAll(async () => {
  await holder?.query('DROP TRIGGER IF EXISTS test_hold_commit ON events').catch(() => undefined);
  await holder?.end().catch(() => undefined);
  await replica?.close();
  await server?.stop();
});

/** Backends of the runtime waiting for our advisory lock, i.e. commits held open. */
async function heldCommits(): Promise<number> {
  const { rows } = await holder.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted", [LOCK]);
  return rows[0]!.n;
}

it('shows an event to no SSE stream and no JSON page until the transaction storing it has committed', async () => {
  const api = new Api(replica.url, TOKENS.alpha);
  const id = await api.createSession();
  await api.waitForDone(id, await api.send(id, 'warm up'));
  const before = (await api.events(id)).at(-1).seq as number;

  await holder.query('SELECT pg_advisory_lock($1)', [LOCK]);
  const live: { event: any; at: number }[] = [];
  const stream = api.sse(id, { after: before, timeoutMs: 30_000, until: (e) => e.type === 'done', onEvent: (event) => live.push({ event, at: Date.now() }) });
  const turn = await api.send(id, '/slow 20 one two three four five');

  // the runtime's transaction with the first text_delta has inserted it and waits at COMMIT
  const deadline = Date.now() + 15_000;
  while ((await heldCommits()) === 0) {
    expect(Date.now(), 'a commit with a text_delta waiting for the test').toBeLessThan(deadline);
    await delay(20);
  }
  // the harness keeps streaming meanwhile; give any early publication time to show
  await delay(700);
  const pages = await api.events(id, before);
  const { rows: committed } = await holder.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE session_id = $1 AND type = 'text_delta' AND seq > $2", [id, before]);
  expect(committed[0]!.n).toBe(0);
  expect(pages.filter((e) => e.type === 'text_delta')).toEqual([]);
  expect(live.filter(({ event }) => event.type === 'text_delta')).toEqual([]);
  expect(await heldCommits()).toBeGreaterThan(0);

  const releasedAt = Date.now();
  await holder.query('SELECT pg_advisory_unlock($1)', [LOCK]);
  const streamed = await stream;
  expect(streamed.ended).toBe(false);

  // once committed, the same events reach both readers, and every one of them is stored
  const deltas = live.filter(({ event }) => event.turn === turn && event.type === 'text_delta');
  expect(textOf(deltas.map(({ event }) => event))).toBe(`I heard: one two three four five (turn 2, 2 history messages)`);
  expect(deltas.every(({ at }) => at >= releasedAt)).toBe(true);
  const stored = await api.events(id, before);
  expect(stored.map((e) => e.seq)).toEqual(streamed.events.map((e) => e.seq));
  expect(stored.map((e) => e.type)).toEqual(streamed.events.map((e) => e.type));
});
