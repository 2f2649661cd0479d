/**
 * A replica's next process reports its predecessor's interrupted turns in bulk before it is
 * ready (ADR 0020 follow-up): by the time `ready` resolves every dispatched turn of the dead
 * process is `interrupted` with its error and done, counted in the metrics, and a message
 * queued behind one of them runs.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPool } from '../../../runtime/db/pool.ts';
import { applyMigrations } from '../../../runtime/db/migrate.ts';
import { appendEvents } from '../../../runtime/store/events.ts';
import { createSession } from '../../../runtime/store/sessions.ts';
import { enqueueTurn, markDispatched } from '../../../runtime/store/turns.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, textOf, TOKENS, type TestRuntime } from '../support/runtime.ts';

const REPLICA = 'bulk-recovery';
let server: TestPostgres;
let databaseUrl: string;
let db: pg.Pool;
let replica: TestRuntime | undefined;

beforeAll(async () => {
  server = await startTestPostgres();
  databaseUrl = await server.createDatabase();
  db = createPool({ connectionString: databaseUrl, max: 4 });
  await applyMigrations(db);
});
afterAll(async () => {
  await replica?.close();
  await db?.end();
  await server?.stop();
});

it('reports every turn the previous process dispatched before readiness, in bulk, and runs what waited behind them', async () => {
  // the previous process of this replica: 30 turns dispatched and streaming, then it died
  const dead = `${REPLICA}/dead0001`;
  const sessions: string[] = [];
  for (let i = 0; i < 30; i++) {
    const session = await createSession(db, { team: 'alpha', harness: 'scripted', title: `s${i}` });
    await enqueueTurn(db, session.id, 'alpha', `work ${i}`, 10, { owner: dead, leaseMs: 600_000, historyMaxChars: 10_000 });
    await markDispatched(db, dead, session.id, 1, { type: 'turn_started', attempt: 1, sandboxGeneration: 1 });
    await appendEvents(db, session.id, 1, [{ type: 'text_delta', text: `partial ${i}` }], { owner: dead });
    sessions.push(session.id);
  }
  // a message sent while it was down waits behind the first session's turn
  await enqueueTurn(db, sessions[0]!, 'alpha', 'retry after the crash', 10);

  replica = await startTestRuntime(databaseUrl, { replicaName: REPLICA, pollMs: 60_000 });
  // ready: the report ran before (the poll that would claim them one by one is a minute away)
  const { rows } = await db.query<{ state: string; output: string; n: number }>(
    "SELECT state, output, count(*)::int AS n FROM turns WHERE session_id = ANY($1::uuid[]) AND turn = 1 GROUP BY 1, 2 ORDER BY 2",
    [sessions],
  );
  expect(rows.every((r) => r.state === 'interrupted' && r.n === 1)).toBe(true);
  expect(rows.map((r) => r.output).sort()).toEqual(sessions.map((_, i) => `partial ${i}`).sort());

  const api = new Api(replica.url, TOKENS.alpha);
  const events = await api.events(sessions[1]!);
  expect(events.map((e) => [e.seq, e.type])).toEqual([[1, 'user_message'], [2, 'turn_started'], [3, 'text_delta'], [4, 'error'], [5, 'done']]);
  expect(events.at(-2)).toMatchObject({ code: 'interrupted', retryable: true });

  // the message that waited runs now, with the interrupted turn in its history
  const retried = await api.waitForDone(sessions[0]!, 2);
  expect(textOf(retried.filter((e) => e.turn === 2))).toMatch(/^I heard: retry after the crash \(turn 2, 2 history messages\)/);

  const metrics = await (await fetch(`${replica.url}/metrics`)).text();
  expect(metrics).toMatch(/paddock_turns_total\{team="alpha",harness="scripted",outcome="interrupted"\} 30\b/);
  expect(metrics).toMatch(/paddock_turn_errors_total\{team="alpha",harness="scripted",code="interrupted"\} 30\b/);
});

it('goes on past a batch that skipped a turn another transaction holds: every other turn is reported before readiness', async () => {
  await replica?.close();
  replica = undefined;
  const name = `${REPLICA}-held`;
  const dead = `${name}/dead0001`;
  // more than one batch (500) of the dead process's dispatched turns, inserted in bulk
  const { rows: created } = await db.query<{ id: string }>(
    `WITH s AS (
       INSERT INTO sessions (id, team, harness, title, last_turn, created_at)
       SELECT gen_random_uuid(), 'alpha', 'scripted', 'held ' || i, 1, now() - (521 - i) * interval '1 millisecond' FROM generate_series(1, 520) i RETURNING id, created_at
     ), t AS (
       INSERT INTO turns (session_id, turn, state, input, lease_owner, lease_expires_at, attempts, dispatched, started_at, created_at)
       SELECT id, 1, 'running', 'work', $1, now() + interval '10 minutes', 1, true, now(), created_at FROM s RETURNING session_id
     )
     SELECT session_id AS id FROM t`,
    [dead],
  );
  const sessions = created.map((r) => r.id);
  // the oldest turn's session is held by another transaction: the first batch skips it
  const { rows: oldest } = await db.query<{ session_id: string }>('SELECT session_id FROM turns WHERE session_id = ANY($1::uuid[]) ORDER BY created_at LIMIT 1', [sessions]);
  const held = oldest[0]!.session_id;
  const gate = await db.connect();
  try {
    await gate.query('BEGIN');
    await gate.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [held]);
    replica = await startTestRuntime(databaseUrl, { replicaName: name, pollMs: 60_000 });
    const { rows } = await db.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM turns WHERE session_id = ANY($1::uuid[]) AND session_id <> $2 GROUP BY 1', [sessions, held]);
    expect(rows).toEqual([{ state: 'interrupted', n: 519 }]);
    expect((await db.query('SELECT state FROM turns WHERE session_id = $1', [held])).rows).toEqual([{ state: 'running' }]);
  } finally {
    await gate.query('ROLLBACK');
    gate.release();
  }
});
