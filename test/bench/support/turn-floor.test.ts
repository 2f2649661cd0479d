/**
 * The scale benchmark's whole-path baseline is a real process over a real Postgres and a real
 * sandbox farm: every message of both turns is committed with its turn, sent to its session's
 * own sandbox, and every event of each turn's stream is committed and shown, ending in `done`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT } from '../../../bench/support/bench-context.ts';
import { startSandboxFarm, type SandboxFarm } from '../../../bench/support/sandbox-farm.ts';
import { measureTurnFloor } from '../../../bench/support/turn-floor.ts';
import { startTestPostgres, type TestPostgres } from '../../runtime/support/postgres.ts';

let server: TestPostgres;
let farm: SandboxFarm;
beforeAll(async () => {
  [server, farm] = await Promise.all([startTestPostgres({ durable: true }), startSandboxFarm(ROOT)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.stop(), farm?.close()]);
});

it('commits every message with its turn and every event of both turns on each sandbox, each shown on its stream', async () => {
  const url = await server.createDatabase();
  const floor = await measureTurnFloor(ROOT, url, farm, 20, '/slow 5 one two three', new Set(['status', 'text_delta', 'done']));
  expect(floor.errors).toBe(0);
  expect(floor.accepted).toHaveLength(20);
  expect(floor.firstEvent).toHaveLength(20);
  // the first agent event comes after the message was accepted: stored, answered, then dispatched
  expect(Math.min(...floor.firstEvent)).toBeGreaterThan(0);
  expect(await farm.stats()).toMatchObject({ sandboxes: 20 });
  const db = new pg.Pool({ connectionString: url });
  const { rows: turns } = await db.query<{ turn: number; n: number }>('SELECT turn, count(DISTINCT session_id)::int AS n FROM floor_turns GROUP BY turn ORDER BY turn');
  const { rows: events } = await db.query<{ type: string; n: number }>("SELECT type, count(*)::int AS n FROM floor_events WHERE turn = 2 GROUP BY type ORDER BY type");
  const { rows: replies } = await db.query<{ text: string }>("SELECT string_agg(data->>'text', '' ORDER BY seq) AS text FROM floor_events WHERE turn = 2 AND type = 'text_delta' GROUP BY session_id");
  await db.end();
  expect(turns).toEqual([{ turn: 1, n: 20 }, { turn: 2, n: 20 }]);
  expect(events.find((e) => e.type === 'user_message')?.n).toBe(20);
  expect(events.find((e) => e.type === 'done')?.n).toBe(20);
  expect(new Set(replies.map((r) => r.text))).toEqual(new Set([replies[0]!.text]));
  expect(replies).toHaveLength(20);
  expect(replies[0]!.text).toMatch(/one.*two.*three/);
}, 60_000);

it('counts a turn the floor could not run as an error, never as a first event', async () => {
  // a farm whose sandboxes answer nowhere: every turn request of the floor fails
  const deadFarm = createServer((req, res) => {
    req.resume();
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ binding: { driver: 'local', sandboxId: 'gone', sandboxName: '0', namespace: 'team-bench', endpoint: 'http://127.0.0.1:9', token: 'gone-gone-gone-gone-gone-gone-gone' } }));
  });
  await new Promise<void>((resolve) => deadFarm.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(deadFarm.address() as AddressInfo).port}`;
    const floor = await measureTurnFloor(ROOT, await server.createDatabase(), { url, pid: process.pid }, 5, 'hello', new Set(['status', 'text_delta', 'error', 'done']));
    expect(floor.errors).toBe(5);
    expect(floor.firstEvent).toEqual([]);
  } finally {
    deadFarm.close();
  }
}, 90_000);
