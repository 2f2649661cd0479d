/**
 * Sandbox bindings: which sandbox serves a session (kept across runtime restarts so a new
 * replica re-attaches), and the release queue of sandboxes to end, retried until the driver
 * confirms so an outage never leaks a sandbox.
 */
import { withTransaction, type Pool, type Queryable } from '../db/pool.ts';
import type { SandboxBinding } from '../drivers/sandbox-driver.ts';
import type { SessionEvent, StoredEvent } from '../session-events.ts';
import { EVENTS_CHANNEL } from './channels.ts';
import { storedTail } from './events.ts';

export interface StoredBinding extends SandboxBinding {
  readonly sessionId: string;
  readonly generation: number;
  readonly acquiredAt: Date;
}

export interface BindingRow {
  session_id: string;
  driver: SandboxBinding['driver'];
  sandbox_id: string;
  sandbox_name: string;
  namespace: string;
  endpoint: string;
  token: string;
  generation: number;
  acquired_at: Date;
}

export function bindingFromRow(row: BindingRow): StoredBinding {
  return {
    sessionId: row.session_id,
    driver: row.driver,
    sandboxId: row.sandbox_id,
    sandboxName: row.sandbox_name,
    namespace: row.namespace,
    endpoint: row.endpoint,
    token: row.token,
    generation: row.generation,
    acquiredAt: row.acquired_at,
  };
}

export async function getBinding(db: Queryable, sessionId: string): Promise<StoredBinding | undefined> {
  const { rows } = await db.query<BindingRow>('SELECT * FROM sandbox_bindings WHERE session_id = $1', [sessionId]);
  return rows[0] ? bindingFromRow(rows[0]) : undefined;
}

/**
 * Every change of a session's binding first locks the session's row, then reads and writes with
 * a fresh snapshot: a binder that waited for the lock sees the binding the other one committed
 * (the one it replaces is queued for release, never leaked; a prepared one never overwrites it).
 */
const LOCK_ACTIVE_SESSION = "SELECT 1 FROM sessions WHERE id = $1 AND state = 'active' FOR UPDATE";

/**
 * Records a new sandbox for a session, only while the session is active. Returns its
 * generation (1 for the first sandbox, +1 per replacement), or undefined when the session
 * ended meanwhile (the caller then releases the sandbox).
 */
export async function saveBinding(pool: Pool, sessionId: string, binding: SandboxBinding): Promise<number | undefined> {
  return withTransaction(pool, async (client) => {
    if ((await client.query(LOCK_ACTIVE_SESSION, [sessionId])).rowCount === 0) return undefined;
    const { rows } = await client.query<{ generation: number }>(
      `WITH bumped AS (
         UPDATE sessions SET sandbox_generation = sandbox_generation + 1, updated_at = now() WHERE id = $1 RETURNING sandbox_generation
       ), replaced AS (
         -- a binding still in place is superseded: its sandbox must not leak
         INSERT INTO sandbox_releases (sandbox_id, driver, sandbox_name, namespace, endpoint, token)
         SELECT b.sandbox_id, b.driver, b.sandbox_name, b.namespace, b.endpoint, b.token FROM sandbox_bindings b, bumped
         WHERE b.session_id = $1 AND b.sandbox_id <> $3
         ON CONFLICT (sandbox_id) DO NOTHING
       )
       INSERT INTO sandbox_bindings (session_id, driver, sandbox_id, sandbox_name, namespace, endpoint, token, generation)
       SELECT $1, $2, $3, $4, $5, $6, $7, bumped.sandbox_generation FROM bumped
       ON CONFLICT (session_id) DO UPDATE SET driver = EXCLUDED.driver, sandbox_id = EXCLUDED.sandbox_id, sandbox_name = EXCLUDED.sandbox_name,
         namespace = EXCLUDED.namespace, endpoint = EXCLUDED.endpoint, token = EXCLUDED.token, generation = EXCLUDED.generation, acquired_at = now()
       RETURNING generation`,
      [sessionId, binding.driver, binding.sandboxId, binding.sandboxName, binding.namespace, binding.endpoint, binding.token],
    );
    return rows[0]?.generation;
  });
}

/** A sandbox bound ahead of the session's first turn, and its `sandbox acquired` event. */
export interface PreparedBinding {
  readonly generation: number;
  readonly events: StoredEvent[];
}

/**
 * Binds a sandbox claimed for a session before any of its turns needed one, with its `sandbox
 * acquired` event (of no turn) in the same commit. Only into an empty place: undefined when the
 * session ended or already has a sandbox (a turn got one first); the caller releases it then.
 */
export async function bindPreparedSandbox(pool: Pool, sessionId: string, binding: SandboxBinding): Promise<PreparedBinding | undefined> {
  return withTransaction(pool, async (client) => {
    if ((await client.query(LOCK_ACTIVE_SESSION, [sessionId])).rowCount === 0) return undefined;
    const { rows } = await client.query<{ generation: number; last_seq: number; created_at: Date }>(
      `WITH bumped AS (
         UPDATE sessions SET sandbox_generation = sandbox_generation + 1, last_seq = last_seq + 1, updated_at = now()
         WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM sandbox_bindings WHERE session_id = $1)
         RETURNING sandbox_generation, last_seq
       ), bound AS (
         INSERT INTO sandbox_bindings (session_id, driver, sandbox_id, sandbox_name, namespace, endpoint, token, generation)
         SELECT $1, $2, $3, $4, $5, $6, $7, sandbox_generation FROM bumped
       ), inserted AS (
         INSERT INTO events (session_id, seq, turn, type, data)
         SELECT $1, last_seq, NULL, 'sandbox', jsonb_build_object('type', 'sandbox', 'action', 'acquired', 'generation', sandbox_generation) FROM bumped
         RETURNING seq
       ), notified AS (
         SELECT pg_notify('${EVENTS_CHANNEL}', $1::text || ':' || seq::text) FROM inserted
       )
       SELECT bumped.sandbox_generation AS generation, bumped.last_seq, now() AS created_at FROM bumped, notified`,
      [sessionId, binding.driver, binding.sandboxId, binding.sandboxName, binding.namespace, binding.endpoint, binding.token],
    );
    const row = rows[0];
    if (!row) return undefined;
    const acquired: SessionEvent = { type: 'sandbox', action: 'acquired', generation: row.generation };
    return { generation: row.generation, events: storedTail(sessionId, null, [acquired], { last_seq: row.last_seq, inserted: 1, created_at: row.created_at }) };
  });
}

/** Takes a session's binding off it and queues its sandbox for release (same transaction). */
export async function moveBindingToReleases(db: Queryable, sessionId: string, onlySandboxId?: string): Promise<StoredBinding | undefined> {
  const { rows } = await db.query<BindingRow>(
    `DELETE FROM sandbox_bindings WHERE session_id = $1 ${onlySandboxId ? 'AND sandbox_id = $2' : ''} RETURNING *`,
    onlySandboxId ? [sessionId, onlySandboxId] : [sessionId],
  );
  const row = rows[0];
  if (!row) return undefined;
  await queueRelease(db, bindingFromRow(row));
  return bindingFromRow(row);
}

export async function queueRelease(db: Queryable, binding: SandboxBinding): Promise<void> {
  await db.query(
    `INSERT INTO sandbox_releases (sandbox_id, driver, sandbox_name, namespace, endpoint, token) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (sandbox_id) DO NOTHING`,
    [binding.sandboxId, binding.driver, binding.sandboxName, binding.namespace, binding.endpoint, binding.token],
  );
}

export interface PendingRelease extends SandboxBinding {
  readonly attempts: number;
}

export async function pendingReleases(db: Queryable, driver: SandboxBinding['driver'], limit: number): Promise<PendingRelease[]> {
  const { rows } = await db.query<Omit<BindingRow, 'session_id' | 'generation' | 'acquired_at'> & { attempts: number }>('SELECT * FROM sandbox_releases WHERE driver = $1 ORDER BY created_at LIMIT $2', [driver, limit]);
  return rows.map((row) => ({
    driver: row.driver,
    sandboxId: row.sandbox_id,
    sandboxName: row.sandbox_name,
    namespace: row.namespace,
    endpoint: row.endpoint,
    token: row.token,
    attempts: row.attempts,
  }));
}

export async function completeRelease(db: Queryable, sandboxId: string): Promise<void> {
  await db.query('DELETE FROM sandbox_releases WHERE sandbox_id = $1', [sandboxId]);
}

export async function recordReleaseFailure(db: Queryable, sandboxId: string, error: string): Promise<void> {
  await db.query('UPDATE sandbox_releases SET attempts = attempts + 1, last_error = $2 WHERE sandbox_id = $1', [sandboxId, error.slice(0, 1000)]);
}

export const BINDING_COLUMNS = ['session_id', 'driver', 'sandbox_id', 'sandbox_name', 'namespace', 'endpoint', 'token', 'generation', 'acquired_at'] as const satisfies readonly (keyof BindingRow)[];
