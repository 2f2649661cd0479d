/**
 * The audit trail is append-only in the database (runtime/migrations/0004_audit.sql), against a
 * real Postgres: as a non-superuser role that owns the tables (it ran the migrations, as the
 * runtime's role does) and as a superuser, UPDATE, DELETE and TRUNCATE of audit rows are
 * refused; rows leave only through paddock_audit_expire(), only past the retention, never
 * younger than 30 days, and cannot be backdated to get there.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireAudit, insertAuditMany, queryAudit, type AuditEntry } from '../../../runtime/audit/store.ts';
import { applyMigrations } from '../../../runtime/db/migrate.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

let server: TestPostgres;
/** the tables' owner, not a superuser: the runtime's role */
let owner: pg.Pool;
/** a superuser on the same database */
let superuser: pg.Pool;

const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  principal: 'team', team: 'alpha', action: 'session.create', sessionId: undefined, subjectTeam: 'alpha', requestId: 'req-1',
  clientAddress: '127.0.0.1', method: 'POST', route: '/v1/sessions', status: 201, errorCode: undefined, ...overrides,
});

async function refusal(pool: pg.Pool, sql: string): Promise<{ code: string; message: string }> {
  try {
    await pool.query(sql);
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error(`${sql} was not refused`);
}

beforeAll(async () => {
  server = await startTestPostgres();
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query("CREATE ROLE paddock_runtime LOGIN PASSWORD 'runtime-test' NOSUPERUSER NOCREATEROLE NOCREATEDB");
  await admin.query('CREATE DATABASE audit_test OWNER paddock_runtime');
  await admin.end();
  const ownerUrl = new URL(server.url('audit_test'));
  ownerUrl.username = 'paddock_runtime';
  ownerUrl.password = 'runtime-test';
  owner = new pg.Pool({ connectionString: ownerUrl.toString(), max: 2 });
  superuser = new pg.Pool({ connectionString: server.url('audit_test'), max: 2 });
  // the server's stop at the end terminates idle connections: not a test failure
  for (const pool of [owner, superuser]) pool.on('error', () => undefined);
  await applyMigrations(owner);
  const { rows } = await owner.query<{ owner: string; superuser: boolean }>("SELECT tableowner AS owner, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser FROM pg_tables WHERE tablename = 'audit_log'");
  expect(rows[0]).toEqual({ owner: 'paddock_runtime', superuser: false });
  await insertAuditMany(owner, [{ ...entry(), entryId: randomUUID() }]);
}, 60_000);

afterAll(async () => {
  await owner?.end();
  await superuser?.end();
  await server?.stop();
});

describe('audit_log is append-only in the database', () => {
  it('refuses UPDATE, DELETE and TRUNCATE by the owning (runtime) role', async () => {
    expect(await refusal(owner, "UPDATE audit_log SET status = 200 WHERE action = 'session.create'")).toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied for table audit_log/) });
    expect(await refusal(owner, 'DELETE FROM audit_log')).toMatchObject({ code: '42501', message: 'audit_log is append-only: DELETE refused' });
    expect(await refusal(owner, 'TRUNCATE audit_log')).toMatchObject({ code: '42501' });
    // the owner passes its own grants again, but the trigger still refuses
    await owner.query('GRANT UPDATE ON audit_log TO CURRENT_USER');
    expect(await refusal(owner, 'UPDATE audit_log SET status = 200')).toMatchObject({ code: '42501', message: 'audit_log is append-only: UPDATE refused' });
    await owner.query('REVOKE UPDATE ON audit_log FROM CURRENT_USER');
    expect((await owner.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n).toBe(1);
  });

  it('refuses them for a superuser too (the trigger fires for every role)', async () => {
    expect(await refusal(superuser, 'UPDATE audit_log SET status = 200')).toMatchObject({ message: 'audit_log is append-only: UPDATE refused' });
    expect(await refusal(superuser, 'DELETE FROM audit_log')).toMatchObject({ message: 'audit_log is append-only: DELETE refused' });
    expect(await refusal(superuser, 'TRUNCATE audit_log')).toMatchObject({ message: 'audit_log is append-only: TRUNCATE refused' });
    expect((await superuser.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n).toBe(1);
  });

  it('stamps every row with the database clock: a row cannot be backdated', async () => {
    await owner.query("INSERT INTO audit_log (at, principal, action, request_id, method, route, status) VALUES (now() - interval '400 days', 'admin', 'audit.read', 'req-old', 'GET', '/v1/audit', 200)");
    const { rows } = await owner.query<{ age: number }>("SELECT extract(epoch FROM now() - at)::int AS age FROM audit_log WHERE request_id = 'req-old'");
    expect(rows[0]!.age).toBeLessThan(60);
  });

  it('removes rows only through paddock_audit_expire, past the retention, never under 30 days', async () => {
    // a row from 400 and one from 40 days ago, written the only way the clock can be beaten: as a superuser with triggers off
    const backdate = await superuser.connect();
    try {
      await backdate.query("SET session_replication_role = replica");
      await backdate.query("INSERT INTO audit_log (at, principal, action, request_id, method, route, status) VALUES (now() - interval '400 days', 'admin', 'sessions.list', 'req-400', 'GET', '/v1/sessions', 200), (now() - interval '40 days', 'admin', 'sessions.list', 'req-40', 'GET', '/v1/sessions', 200)");
    } finally {
      await backdate.query('RESET session_replication_role');
      backdate.release();
    }
    // a plain DELETE of an old row is refused; so is the expiry's own switch on a young row
    expect(await refusal(owner, "DELETE FROM audit_log WHERE request_id = 'req-400'")).toMatchObject({ message: 'audit_log is append-only: DELETE refused' });
    expect(await refusal(owner, "BEGIN; SELECT set_config('paddock.audit_expiring', 'on', true); DELETE FROM audit_log WHERE request_id = 'req-1'; COMMIT")).toMatchObject({ message: 'audit_log is append-only: DELETE refused' });
    await owner.query('ROLLBACK').catch(() => undefined);
    await expect(expireAudit(owner, 29)).rejects.toThrow('audit retention must be at least 30 days, got 29');

    expect(await expireAudit(owner, 365)).toBe(1);
    expect(await expireAudit(owner, 30)).toBe(1);
    const left = await queryAudit(owner, { limit: 10 });
    expect(left.map((r) => r.requestId).sort()).toEqual(['req-1', 'req-old']);
  });
});
