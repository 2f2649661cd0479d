/**
 * Sandbox bindings: which sandbox serves a session (kept across runtime restarts so a new
 * replica re-attaches), and the release queue of sandboxes to end, retried until the driver
 * confirms so an outage never leaks a sandbox.
 */
import type { SandboxBinding } from '../drivers/sandbox-driver.ts';
import type { Queryable } from '../db/pool.ts';

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
 * The CTEs `replaced` and `bound` of a statement that binds a sandbox to session `$1` under the
 * new generation returned by its CTE `from` (`sandbox_generation`): a binding still in place is
 * superseded and queued for release, so its sandbox does not leak. The sandbox's fields are the
 * parameters `$first` .. `$first + 5`, in the order of bindingParams. `bound` returns the
 * binding's generation and acquired_at.
 */
export function bindSandboxCtes(from: string, first: number): string {
  const [driver, sandboxId, sandboxName, namespace, endpoint, token] = Array.from({ length: 6 }, (_, i) => `$${first + i}`);
  return `replaced AS (
       INSERT INTO sandbox_releases (sandbox_id, driver, sandbox_name, namespace, endpoint, token)
       SELECT b.sandbox_id, b.driver, b.sandbox_name, b.namespace, b.endpoint, b.token FROM sandbox_bindings b, ${from}
       WHERE b.session_id = $1 AND b.sandbox_id <> ${sandboxId}
       ON CONFLICT (sandbox_id) DO NOTHING
     ), bound AS (
       INSERT INTO sandbox_bindings (session_id, driver, sandbox_id, sandbox_name, namespace, endpoint, token, generation)
       SELECT $1, ${driver}, ${sandboxId}, ${sandboxName}, ${namespace}, ${endpoint}, ${token}, ${from}.sandbox_generation FROM ${from}
       ON CONFLICT (session_id) DO UPDATE SET driver = EXCLUDED.driver, sandbox_id = EXCLUDED.sandbox_id, sandbox_name = EXCLUDED.sandbox_name,
         namespace = EXCLUDED.namespace, endpoint = EXCLUDED.endpoint, token = EXCLUDED.token, generation = EXCLUDED.generation, acquired_at = now()
       RETURNING generation, acquired_at
     )`;
}

/** A sandbox's fields as the parameters bindSandboxCtes expects. */
export function bindingParams(binding: SandboxBinding): string[] {
  return [binding.driver, binding.sandboxId, binding.sandboxName, binding.namespace, binding.endpoint, binding.token];
}

/**
 * Records a new sandbox for a session, only while the session is active. Returns its
 * generation (1 for the first sandbox, +1 per replacement), or undefined when the session
 * ended meanwhile (the caller then releases the sandbox).
 */
export async function saveBinding(db: Queryable, sessionId: string, binding: SandboxBinding): Promise<number | undefined> {
  const { rows } = await db.query<{ generation: number }>(
    `WITH bumped AS (
       UPDATE sessions SET sandbox_generation = sandbox_generation + 1, updated_at = now() WHERE id = $1 AND state = 'active' RETURNING sandbox_generation
     ), ${bindSandboxCtes('bumped', 2)}
     SELECT generation FROM bound`,
    [sessionId, ...bindingParams(binding)],
  );
  return rows[0]?.generation;
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
