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
