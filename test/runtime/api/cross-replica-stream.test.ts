/**
 * Event streams on a replica that did not commit the events (ADR 0020): the committing
 * replica announces them after the commit (db/notifier.ts), and a stream that heard nothing
 * re-reads its session at each keep-alive — so events whose announcement was lost (the
 * committing replica died right after its commit) still arrive.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, textOf, TOKENS, type TestRuntime } from '../support/runtime.ts';

let server: TestPostgres;
let url: string;
let db: pg.Pool;
const replicas: TestRuntime[] = [];
beforeAll(async () => {
  server = await startTestPostgres();
  url = await server.createDatabase();
  db = new pg.Pool({ connectionString: url, max: 1 });
  // the server stops at the end of the file; an idle connection's goodbye is not a failure
  db.on('error', () => undefined);
});
afterAll(async () => {
  for (const r of replicas) await r.close();
  await db?.end();
  await server?.stop();
});

it('streams a turn run by another replica, woken by its announcements (no keep-alive re-read in time)', async () => {
  const runner = await startTestRuntime(url, { replicaName: 'runner' });
  replicas.push(runner);
  const watcher = await startTestRuntime(url, { replicaName: 'watcher', sseKeepAliveMs: 600_000, pollMs: 600_000, maxConcurrentTurns: 1 });
  replicas.push(watcher);
  const onRunner = new Api(runner.url, TOKENS.alpha);
  const onWatcher = new Api(watcher.url, TOKENS.alpha);
  const session = await onRunner.createSession();
  const streamed = onWatcher.sse(session, { until: (e) => e.type === 'done', timeoutMs: 20_000 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const turn = await onRunner.send(session, '/slow 30 one two three');
  const { events } = await streamed;
  expect(events.at(-1)).toMatchObject({ type: 'done', turn, stopReason: 'end_turn' });
  expect(textOf(events)).toBe('I heard: one two three (turn 1, 0 history messages)');
  const { rows } = await db.query<{ lease_owner: string | null; state: string }>('SELECT state FROM turns WHERE session_id = $1', [session]);
  expect(rows).toEqual([{ state: 'completed' }]);
});

it('delivers events committed without any announcement at the next keep-alive', async () => {
  const replica = await startTestRuntime(url, { replicaName: 'quiet', sseKeepAliveMs: 250 });
  replicas.push(replica);
  const api = new Api(replica.url, TOKENS.alpha);
  const session = await api.createSession();
  const streamed = api.sse(session, { until: (e) => e.type === 'status', timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  // what a replica that died between its commit and its announcement leaves behind
  await db.query(
    `WITH bump AS (UPDATE sessions SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
     INSERT INTO events (session_id, seq, turn, type, data) SELECT $1, last_seq, NULL, 'status', '{"type":"status","message":"committed, never announced"}'::jsonb FROM bump`,
    [session],
  );
  const { events } = await streamed;
  expect(events.at(-1)).toMatchObject({ type: 'status', message: 'committed, never announced' });
});
