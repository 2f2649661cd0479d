/**
 * A failed audit write is not silent: the entry goes to the log at error level and the failure
 * counter (which an alert watches) goes up, against a real Postgres whose table is missing and
 * one that is down.
 */
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail, AUDIT_WRITE_FAILURES_METRIC } from '../../../runtime/audit/trail.ts';
import type { AuditEntry } from '../../../runtime/audit/store.ts';
import { isDatabaseUnavailable } from '../../../runtime/db/pool.ts';
import { applyMigrations } from '../../../runtime/db/migrate.ts';
import type { Logger, LogFields } from '../../../runtime/log.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

let server: TestPostgres;
const entry: AuditEntry = { principal: 'team', team: 'alpha', action: 'session.end', sessionId: undefined, subjectTeam: 'alpha', requestId: 'req-trail', clientAddress: '10.0.0.7', method: 'DELETE', route: '/v1/sessions/{id}', status: 200, errorCode: undefined };

function recordingLogger(lines: Array<{ level: string; message: string; fields?: LogFields }>): Logger {
  const logger: Logger = {
    debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
    child: () => logger,
    with: () => logger,
  };
  return logger;
}

async function failures(registry: Registry, reason: string): Promise<number> {
  const metric = await registry.getSingleMetric(AUDIT_WRITE_FAILURES_METRIC)!.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('AuditTrail', () => {
  it('writes rows, and logs and counts a write that fails', async () => {
    const migrated = new pg.Pool({ connectionString: await server.createDatabase() });
    const bare = new pg.Pool({ connectionString: await server.createDatabase() });
    await applyMigrations(migrated);
    const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
    const registry = new Registry();
    const good = new AuditTrail(migrated, recordingLogger(lines), registry, isDatabaseUnavailable);
    good.record(entry);
    await good.flush();
    expect((await migrated.query('SELECT request_id, client_address FROM audit_log')).rows).toEqual([{ request_id: 'req-trail', client_address: '10.0.0.7' }]);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);

    // same metric names on another registry: a second trail over a database without the table
    const registry2 = new Registry();
    const broken = new AuditTrail(bare, recordingLogger(lines), registry2, isDatabaseUnavailable);
    broken.record(entry);
    await broken.flush();
    expect(await failures(registry2, 'other')).toBe(1);
    expect(lines).toContainEqual({ level: 'error', message: 'audit record not written to the database', fields: expect.objectContaining({ audit: { ...entry, entryId: expect.stringMatching(/^[0-9a-f-]{36}$/) }, reason: 'other', error: expect.stringMatching(/audit_log/) }) });
    await migrated.end();
    await bare.end();
  });

  it('counts an unavailable database as such', async () => {
    const down = new pg.Pool({ connectionString: 'postgres://nobody:x@127.0.0.1:1/none', connectionTimeoutMillis: 1_000 });
    const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
    const registry = new Registry();
    const trail = new AuditTrail(down, recordingLogger(lines), registry, isDatabaseUnavailable);
    trail.record(entry);
    await trail.flush();
    // held while unavailable; the final flush (shutdown) tries once more, then gives it up, logged
    expect(await failures(registry, 'unavailable')).toBe(1);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'error']);
    await down.end();
  });

  it('holds entries while the database is unavailable and writes them when it is back, giving up the oldest beyond its bound', async () => {
    const connectionString = await server.createDatabase();
    const pool = new pg.Pool({ connectionString });
    const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
    const registry = new Registry();
    // the table's absence stands for the outage: every failure counts as "unavailable"
    const trail = new AuditTrail(pool, recordingLogger(lines), registry, () => true, { maxHeld: 2, retryMs: 50 });
    for (const requestId of ['r1', 'r2', 'r3']) trail.record({ ...entry, requestId });
    await trail.flush(false);
    expect(trail.heldCount).toBe(2);
    expect(await failures(registry, 'unavailable')).toBe(1);
    // the three writes fail concurrently: the first held is the one given up
    const givenUp = lines.filter((l) => l.level === 'error').map((l) => (l.fields?.audit as AuditEntry).requestId);
    expect(givenUp).toHaveLength(1);
    await applyMigrations(pool);
    const kept = ['r1', 'r2', 'r3'].filter((id) => id !== givenUp[0]);
    await expect.poll(async () => (await pool.query('SELECT request_id FROM audit_log ORDER BY request_id')).rows.map((r) => r.request_id), { timeout: 10_000 }).toEqual(kept);
    await trail.flush();
    expect(trail.heldCount).toBe(0);
    expect(lines.filter((l) => l.level !== 'error').map((l) => l.message)).toEqual(['database unavailable: audit records held until it is back', 'database back: held audit records written']);
    await pool.end();
  });
  it('writes a burst of entries in a few statements, in the order recorded', async () => {
    const pool = new pg.Pool({ connectionString: await server.createDatabase() });
    await applyMigrations(pool);
    let statements = 0;
    pool.on('acquire', () => void statements++);
    const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
    const trail = new AuditTrail(pool, recordingLogger(lines), new Registry(), isDatabaseUnavailable);
    const ids = Array.from({ length: 1_200 }, (_, i) => `burst-${String(i).padStart(4, '0')}`);
    for (const requestId of ids) trail.record({ ...entry, requestId });
    await trail.flush();
    // the first entry alone (nothing in flight), then at most 500 per statement
    expect(statements).toBe(4);
    expect((await pool.query('SELECT request_id FROM audit_log ORDER BY id')).rows.map((r) => r.request_id)).toEqual(ids);
    expect(lines).toEqual([]);
    await pool.end();
  });

  it('writes each entry once when its statement committed but the answer was lost, and sent again', async () => {
    const pool = new pg.Pool({ connectionString: await server.createDatabase() });
    await applyMigrations(pool);
    // the first statement commits, then the connection "drops" before its answer arrives
    let answersToLose = 1;
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
      const result = await query(...args);
      if (answersToLose-- > 0) throw new Error('Connection terminated unexpectedly');
      return result;
    };
    const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
    const registry = new Registry();
    const trail = new AuditTrail(pool, recordingLogger(lines), registry, isDatabaseUnavailable, { retryMs: 50 });
    for (const requestId of ['lost-1', 'lost-2', 'lost-3']) trail.record({ ...entry, requestId });
    await trail.flush(false);
    await expect.poll(() => trail.heldCount, { timeout: 10_000 }).toBe(0);
    await trail.flush();
    expect((await pool.query('SELECT request_id FROM audit_log ORDER BY id')).rows.map((r) => r.request_id)).toEqual(['lost-1', 'lost-2', 'lost-3']);
    expect((await (await registry.getSingleMetric('paddock_audit_records_total')!.get()).values[0]!.value)).toBe(3);
    expect(lines.map((l) => l.message)).toEqual(['database unavailable: audit records held until it is back', 'database back: held audit records written']);
    await pool.end();
  });

  it('gives up only the entry the database refuses, not the others of its statement', async () => {
    const pool = new pg.Pool({ connectionString: await server.createDatabase() });
    await applyMigrations(pool);
    const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
    const registry = new Registry();
    const trail = new AuditTrail(pool, recordingLogger(lines), registry, isDatabaseUnavailable);
    trail.record({ ...entry, requestId: 'first' });
    // recorded while the first is in flight: one statement, which the bad session id fails
    trail.record({ ...entry, requestId: 'good-1' });
    trail.record({ ...entry, requestId: 'bad', sessionId: 'not-a-uuid' });
    trail.record({ ...entry, requestId: 'good-2' });
    await trail.flush();
    expect((await pool.query('SELECT request_id FROM audit_log ORDER BY id')).rows.map((r) => r.request_id)).toEqual(['first', 'good-1', 'good-2']);
    expect(await failures(registry, 'other')).toBe(1);
    expect(lines.map((l) => [l.level, (l.fields?.audit as AuditEntry | undefined)?.requestId])).toEqual([['error', 'bad']]);
    await pool.end();
  });
  it('held until open (a replica answering before its migrations ran): written once the schema is there, none given up', async () => {
    const url = await server.createDatabase();
    const db = new pg.Pool({ connectionString: url });
    const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
    const registry = new Registry();
    const trail = new AuditTrail(db, recordingLogger(lines), registry, isDatabaseUnavailable, { heldUntilOpen: true });
    // the 503s of a replica whose migrations have not run: the table is not there yet
    trail.record({ ...entry, requestId: 'before-1', status: 503, errorCode: 'not_ready' });
    trail.record({ ...entry, requestId: 'before-2', status: 503, errorCode: 'not_ready' });
    await trail.flush(false);
    // nothing was tried yet: no failure counted, nothing logged (written then, both fail on the missing table)
    expect(trail.isOpen).toBe(false);
    expect(await failures(registry, 'other')).toBe(0);
    expect(lines).toEqual([]);
    await applyMigrations(db);
    trail.open();
    trail.record({ ...entry, requestId: 'after' });
    await trail.flush();
    expect((await db.query('SELECT request_id FROM audit_log ORDER BY id')).rows.map((r: { request_id: string }) => r.request_id)).toEqual(['before-1', 'before-2', 'after']);
    expect(await failures(registry, 'unavailable')).toBe(0);
    expect(await failures(registry, 'other')).toBe(0);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    await db.end();
  });

  it('held until open, but bounded, and given up (logged, counted) when the replica stops before it opens', async () => {
    const db = new pg.Pool({ connectionString: await server.createDatabase() });
    const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
    const registry = new Registry();
    const trail = new AuditTrail(db, recordingLogger(lines), registry, isDatabaseUnavailable, { heldUntilOpen: true, maxHeld: 2 });
    for (const id of ['a', 'b', 'c']) trail.record({ ...entry, requestId: id });
    expect(await failures(registry, 'unavailable')).toBe(1);
    await trail.flush();
    expect(await failures(registry, 'unavailable')).toBe(3);
    expect(lines.filter((l) => l.level === 'error').map((l) => (l.fields?.audit as { requestId: string }).requestId)).toEqual(['a', 'b', 'c']);
    await db.end();
  });
});
