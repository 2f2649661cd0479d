/**
 * The runtime expires audit rows past platform.runtime.auditRetentionDays once it is ready (and
 * every 6 hours after), through paddock_audit_expire: against a real Postgres with rows
 * backdated the only way possible (a superuser with triggers off).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../runtime/db/migrate.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { startTestRuntime, testConfig, type TestRuntime } from '../support/runtime.ts';

let server: TestPostgres;
let rt: TestRuntime | undefined;
let db: pg.Pool;

beforeAll(async () => {
  server = await startTestPostgres();
  const url = await server.createDatabase();
  db = new pg.Pool({ connectionString: url, max: 2 });
  db.on('error', () => undefined);
  await applyMigrations(db);
  const client = await db.connect();
  try {
    await client.query('SET session_replication_role = replica');
    for (const days of [400, 90, 45]) {
      await client.query(`INSERT INTO audit_log (at, principal, action, request_id, method, route, status) VALUES (now() - make_interval(days => $1), 'admin', 'sessions.list', $2, 'GET', '/v1/sessions', 200)`, [days, `req-${days}`]);
    }
  } finally {
    await client.query('RESET session_replication_role');
    client.release();
  }
  rt = await startTestRuntime(url, { config: testConfig({ auditRetentionDays: 60 }) });
}, 60_000);

afterAll(async () => {
  await rt?.close();
  await db?.end();
  await server?.stop();
});

describe('audit retention', () => {
  it('deletes the rows older than the configured retention once the runtime is ready, and keeps the others', async () => {
    const deadline = Date.now() + 10_000;
    let left: string[] = [];
    do {
      left = (await db.query<{ request_id: string }>('SELECT request_id FROM audit_log ORDER BY request_id')).rows.map((r) => r.request_id);
      if (left.length === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (Date.now() < deadline);
    expect(left).toEqual(['req-45']);
  });
});
