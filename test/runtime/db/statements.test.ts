/** Prepared statements: declared safely, and still valid after a later migration adds columns. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../runtime/db/migrate.ts';
import { createPool } from '../../../runtime/db/pool.ts';
import { prepared } from '../../../runtime/db/statements.ts';
import { BINDING_COLUMNS } from '../../../runtime/store/bindings.ts';
import { appendEvents, listEvents } from '../../../runtime/store/events.ts';
import { SESSION_COLUMNS, TURN_COLUMNS } from '../../../runtime/store/records.ts';
import { createSession, getSession } from '../../../runtime/store/sessions.ts';
import { claimTurns, enqueueTurn, finishTurn, markDispatched, renewLeases } from '../../../runtime/store/turns.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

let server: TestPostgres;
let pool: pg.Pool;
beforeAll(async () => {
  server = await startTestPostgres();
  // one connection: every statement below is prepared on it, then reused after the ALTERs
  pool = createPool({ connectionString: await server.createDatabase(), max: 1 });
  await applyMigrations(pool);
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

describe('prepared()', () => {
  it('refuses names outside paddock_*, SQL selecting *, and one name with two texts', () => {
    expect(() => prepared('enqueue', 'SELECT 1')).toThrow(/must match paddock_/);
    expect(() => prepared('paddock_test_star', 'SELECT * FROM sessions')).toThrow(/selects "\*": name the columns/);
    expect(() => prepared('paddock_test_star_returning', 'DELETE FROM sessions RETURNING *')).toThrow(/selects "\*"/);
    expect(() => prepared('paddock_test_count', 'SELECT count(*) FROM sessions')).not.toThrow();
    prepared('paddock_test_twice', 'SELECT 1');
    expect(() => prepared('paddock_test_twice', 'SELECT 1')).not.toThrow();
    expect(() => prepared('paddock_test_twice', 'SELECT 2')).toThrow(/declared twice with different SQL/);
  });
});

describe('the runtime pool', () => {
  it('plans prepared statements once per connection (generic plans)', async () => {
    expect((await pool.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]?.plan_cache_mode).toBe('force_generic_plan');
  });
});

describe('column lists', () => {
  it('name exactly the columns of their tables', async () => {
    const columns = async (table: string) => (await pool.query<{ c: string }>('SELECT column_name AS c FROM information_schema.columns WHERE table_name = $1', [table])).rows.map((r) => r.c).sort();
    expect([...SESSION_COLUMNS].sort()).toEqual(await columns('sessions'));
    expect([...BINDING_COLUMNS].sort()).toEqual(await columns('sandbox_bindings'));
    // turns has lease_expires_at, which the runtime never reads back, the usage columns (0003),
    // read only by GET /v1/usage's aggregate, and trace_parent (0005), read only by claimTurns
    expect([...TURN_COLUMNS, 'lease_expires_at', 'input_tokens', 'output_tokens', 'cost_usd', 'trace_parent'].sort()).toEqual(await columns('turns'));
  });
});

describe('a rolling deploy', () => {
  async function runHotPath(owner: string) {
    const session = await createSession(pool, { team: 't', harness: 'scripted' });
    await pool.query("INSERT INTO sandbox_bindings (session_id, driver, sandbox_id, sandbox_name, namespace, endpoint, token, generation) VALUES ($1, 'local', $2, '0', 'team-t', 'http://127.0.0.1:9', 'tok-tok-tok-tok-tok-tok-tok-tok-tok', 1)", [session.id, `sb-${session.id}`]);
    await enqueueTurn(pool, session.id, 't', 'queued', 10);
    const [claimed] = (await claimTurns(pool, owner, 100, 60_000)).filter((c) => c.sessionId === session.id);
    expect(claimed?.binding?.sandboxId).toBe(`sb-${session.id}`);
    await renewLeases(pool, owner, [{ sessionId: session.id, turn: 1 }], 60_000);
    await markDispatched(pool, owner, session.id, 1, { type: 'turn_started', attempt: 1, sandboxGeneration: 1 });
    await appendEvents(pool, session.id, 1, [{ type: 'text_delta', text: 'a' }], { owner });
    await finishTurn(pool, owner, session.id, 1, [{ type: 'done', stopReason: 'end_turn' }], { state: 'completed', stopReason: 'end_turn', output: 'a' });
    const fast = await enqueueTurn(pool, session.id, 't', 'fast', 10, { owner, leaseMs: 60_000, sandboxId: `sb-${session.id}`, historyMaxChars: 10_000 });
    expect(fast.ok && fast.dispatched?.history).toEqual([{ role: 'user', text: 'queued' }, { role: 'assistant', text: 'a' }]);
    await appendEvents(pool, session.id, null, [{ type: 'status', message: 'unfenced' }]);
    expect((await listEvents(pool, session.id, 0, 100)).map((e) => e.event.type)).toEqual(['user_message', 'turn_started', 'text_delta', 'done', 'user_message', 'turn_started', 'status']);
    expect(await getSession(pool, session.id, 't')).toMatchObject({ lastTurn: 2, lastSeq: 7 });
  }

  it('keeps the statements prepared by the old code working after new columns are added', async () => {
    await runHotPath('old/1');
    const prepared = await pool.query<{ name: string }>("SELECT name FROM pg_prepared_statements WHERE name LIKE 'paddock_%'");
    expect(prepared.rows.length).toBeGreaterThanOrEqual(8);
    for (const table of ['sessions', 'turns', 'events', 'sandbox_bindings']) await pool.query(`ALTER TABLE ${table} ADD COLUMN added_by_a_later_release text`);
    await runHotPath('old/1');
  });
});
