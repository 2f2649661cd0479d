/**
 * The scale benchmark's baseline is a real process over a real Postgres: every message of a
 * burst is committed (warm-up and measured bursts alike), shown on its session's stream and
 * answered 202.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT } from '../../../bench/support/bench-context.ts';
import { measureAcceptFloor } from '../../../bench/support/accept-floor.ts';
import { startTestPostgres, type TestPostgres } from '../../runtime/support/postgres.ts';

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres({ durable: true });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

it('commits every message of both bursts, each answered and seen on its stream', async () => {
  const url = await server.createDatabase();
  const floor = await measureAcceptFloor(ROOT, url, 40, 'hello floor');
  expect(floor.errors).toBe(0);
  expect(floor.accepted).toHaveLength(40);
  expect(floor.visible).toHaveLength(40);
  expect(Math.min(...floor.visible)).toBeGreaterThan(0);
  const db = new pg.Pool({ connectionString: url });
  const { rows } = await db.query<{ n: number; sessions: number; texts: string[] }>('SELECT count(*)::int AS n, count(DISTINCT session_id)::int AS sessions, array_agg(DISTINCT input) AS texts FROM floor_messages');
  await db.end();
  expect(rows[0]).toEqual({ n: 80, sessions: 40, texts: ['hello floor'] });
}, 60_000);
