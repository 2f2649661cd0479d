/**
 * A replica at its turn limit: turns left waiting for a slot start as soon as one frees, not at
 * the next poll (the poll is set far beyond the test's patience here).
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, textOf, TOKENS, type TestRuntime } from '../support/runtime.ts';

let server: TestPostgres;
let replica: TestRuntime;
let db: pg.Pool;
beforeAll(async () => {
  server = await startTestPostgres();
  const url = await server.createDatabase();
  replica = await startTestRuntime(url, { maxConcurrentTurns: 1, pollMs: 600_000 });
  db = new pg.Pool({ connectionString: url, max: 1 });
});
afterAll(async () => {
  await db?.end();
  await replica?.close();
  await server?.stop();
});

it('runs turns that waited for a free slot as soon as a running turn ends', async () => {
  const api = new Api(replica.url, TOKENS.beta);
  const sessions = await Promise.all(['a', 'b', 'c'].map((title) => api.createSession('scripted', title)));
  // never more than one turn running at once, also when messages claim their turn (ADR 0005)
  let mostRunning = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM turns WHERE state = 'running'");
      mostRunning = Math.max(mostRunning, rows[0]!.n);
    }
  })();
  await Promise.all(sessions.map((id) => api.send(id, '/slow 20 hello')));
  for (const id of sessions) expect(textOf(await api.waitForDone(id, 1, 20_000))).toBe('I heard: hello (turn 1, 0 history messages)');
  sampling = false;
  await sampler;
  expect(mostRunning).toBe(1);
  // and a second round, where each session's sandbox is trusted (fast dispatch) but slots are not free
  await Promise.all(sessions.map((id) => api.send(id, 'again')));
  for (const id of sessions) expect(textOf(await api.waitForDone(id, 2, 20_000))).toBe('I heard: again (turn 2, 2 history messages)');
  expect(await replica.runtime.metrics.total(replica.runtime.metrics.turns, { outcome: 'completed' })).toBe(6);
});
