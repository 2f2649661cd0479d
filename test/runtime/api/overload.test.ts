/**
 * Overload is not an outage (ADR 0020): when every database connection of the replica stays
 * busy for the pool's wait limit while the database itself answers, a request is refused with
 * `503 overloaded` and Retry-After (counted apart from `unavailable`), and the replica serves
 * again once the connections free up. The connections are held busy from inside Postgres: a
 * test transaction locks the sessions table, so the runtime's reads of it wait.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, TOKENS, type TestRuntime } from '../support/runtime.ts';

let server: TestPostgres;
let replica: TestRuntime;
let databaseUrl: string;

beforeAll(async () => {
  server = await startTestPostgres();
  databaseUrl = await server.createDatabase();
  replica = await startTestRuntime(databaseUrl, { poolMax: 2 });
});
afterAll(async () => {
  await replica?.close();
  await server?.stop();
});

it('answers 503 overloaded with Retry-After while every connection stays busy, then serves again', async () => {
  const api = new Api(replica.url, TOKENS.alpha);
  const id = await api.createSession();
  const locker = new pg.Client({ connectionString: databaseUrl });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE');
    // two reads take both connections and wait for the lock; the third waits for a connection
    const stuck = [api.request('GET', `/v1/sessions/${id}`), api.request('GET', `/v1/sessions/${id}`)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await api.request<{ error: { code: string; message: string } }>('GET', `/v1/sessions/${id}`);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('overloaded');
    expect(refused.body.error.message).toMatch(/overloaded/);
    expect(refused.headers.get('retry-after')).toBe('2');
    await locker.query('COMMIT');
    // the queued reads complete once the lock is gone: nothing was an outage
    expect((await Promise.all(stuck)).map((r) => r.status)).toEqual([200, 200]);
    expect((await api.request('GET', `/v1/sessions/${id}`)).status).toBe(200);
    const metrics = await (await fetch(`${replica.url}/metrics`)).text();
    expect(metrics).toMatch(/paddock_db_errors_total\{kind="overloaded"\} 1\b/);
    expect(metrics).not.toMatch(/paddock_db_errors_total\{kind="unavailable"\} [1-9]/);
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined);
    await locker.end();
  }
});
