/**
 * Turns and their ownership. A turn is persisted (with the user's message as an event) before
 * any harness call; runtime replicas then claim runnable turns with leases taken through
 * `FOR UPDATE SKIP LOCKED`, so two replicas never run the same turn, and a turn whose owner
 * died is picked up again once its lease expires.
 */
import { withTransaction, type Pool, type Queryable } from '../db/pool.ts';
import type { HistoryMessage } from '../../harnesses/protocol/types.ts';
import type { SessionEvent, StoredEvent } from '../session-events.ts';
import { appendEvents, type AppendFence } from './events.ts';
import { turnFromRow, type SessionRow, type TurnRecord, type TurnRow, type TurnState } from './records.ts';

import { ABORTS_CHANNEL, TURNS_CHANNEL } from './channels.ts';

export type EnqueueResult =
  | { readonly ok: true; readonly turn: TurnRecord; readonly event: StoredEvent }
  | { readonly ok: false; readonly reason: 'not_found' | 'not_active' | 'too_many_queued'; readonly state?: string };

/**
 * Persists a new turn and its `user_message` event in one transaction (the message is durable
 * before any harness sees it), then NOTIFYs the replicas.
 */
export async function enqueueTurn(pool: Pool, sessionId: string, team: string | undefined, input: string, maxQueued: number): Promise<EnqueueResult> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<SessionRow>(`SELECT * FROM sessions WHERE id = $1 ${team === undefined ? '' : 'AND team = $2'} FOR UPDATE`, team === undefined ? [sessionId] : [sessionId, team]);
    const session = rows[0];
    if (!session) return { ok: false, reason: 'not_found' } as const;
    if (session.state !== 'active') return { ok: false, reason: 'not_active', state: session.state } as const;
    const unfinished = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM turns WHERE session_id = $1 AND state IN ('queued', 'running')", [sessionId]);
    if ((unfinished.rows[0]?.n ?? 0) >= maxQueued) return { ok: false, reason: 'too_many_queued' } as const;
    const number = session.last_turn + 1;
    await client.query('UPDATE sessions SET last_turn = $2 WHERE id = $1', [sessionId, number]);
    const inserted = await client.query<TurnRow>('INSERT INTO turns (session_id, turn, input) VALUES ($1, $2, $3) RETURNING *', [sessionId, number, input]);
    const [event] = await appendEvents(client, sessionId, number, [{ type: 'user_message', text: input }]);
    await client.query(`SELECT pg_notify('${TURNS_CHANNEL}', $1)`, [sessionId]);
    return { ok: true, turn: turnFromRow(inserted.rows[0]!), event: event! } as const;
  });
}

export interface ClaimedTurn extends TurnRecord {
  /** 'running' when the previous owner's lease expired (it died or lost the database) */
  readonly previousState: TurnState;
  readonly team: string;
  readonly harness: string;
  readonly sessionState: string;
}

/**
 * Claims up to `limit` runnable turns for `owner`: queued turns whose session has no earlier
 * unfinished turn, and running turns whose lease expired. Locked rows are skipped, so
 * concurrent claimers never get the same turn.
 */
export async function claimTurns(db: Queryable, owner: string, limit: number, leaseMs: number): Promise<ClaimedTurn[]> {
  const { rows } = await db.query<TurnRow & { previous_state: TurnState; team: string; harness: string; session_state: string }>(
    `WITH candidates AS (
       SELECT t.session_id, t.turn, t.state AS previous_state
       FROM turns t
       WHERE t.state IN ('queued', 'running')
         AND (t.state = 'queued' OR t.lease_expires_at IS NULL OR t.lease_expires_at < now())
         AND NOT EXISTS (SELECT 1 FROM turns p WHERE p.session_id = t.session_id AND p.turn < t.turn AND p.state IN ('queued', 'running'))
       ORDER BY t.created_at
       LIMIT $2
       FOR UPDATE OF t SKIP LOCKED
     )
     UPDATE turns t SET state = 'running', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $3::double precision / 1000),
       attempts = t.attempts + 1, started_at = coalesce(t.started_at, now())
     FROM candidates c, sessions s
     WHERE t.session_id = c.session_id AND t.turn = c.turn AND s.id = t.session_id
     RETURNING t.*, c.previous_state, s.team, s.harness, s.state AS session_state`,
    [owner, limit, leaseMs],
  );
  return rows.map((row) => ({ ...turnFromRow(row), previousState: row.previous_state, team: row.team, harness: row.harness, sessionState: row.session_state }));
}

export interface LeaseStatus {
  readonly sessionId: string;
  readonly turn: number;
  readonly abortRequested: boolean;
}

/** Extends the leases `owner` still holds; returns them (a missing turn means the lease is lost). */
export async function renewLeases(db: Queryable, owner: string, turns: readonly { sessionId: string; turn: number }[], leaseMs: number): Promise<LeaseStatus[]> {
  if (turns.length === 0) return [];
  const { rows } = await db.query<{ session_id: string; turn: number; abort_requested: boolean }>(
    `UPDATE turns t SET lease_expires_at = now() + make_interval(secs => $4::double precision / 1000)
     FROM unnest($2::uuid[], $3::int[]) AS k(session_id, turn)
     WHERE t.session_id = k.session_id AND t.turn = k.turn AND t.lease_owner = $1 AND t.state = 'running'
     RETURNING t.session_id, t.turn, t.abort_requested`,
    [owner, turns.map((t) => t.sessionId), turns.map((t) => t.turn), leaseMs],
  );
  return rows.map((r) => ({ sessionId: r.session_id, turn: r.turn, abortRequested: r.abort_requested }));
}

/**
 * At start-up: turns leased by an earlier process of this same replica (`<name>/<instance>`)
 * cannot be running any more, so their leases expire now instead of after the lease time.
 */
export async function expireLeasesOfPreviousInstances(db: Queryable, replicaName: string, owner: string): Promise<number> {
  const { rowCount } = await db.query(
    "UPDATE turns SET lease_expires_at = now() - interval '1 second' WHERE state = 'running' AND lease_owner LIKE $1 AND lease_owner <> $2",
    [`${replicaName.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`, owner],
  );
  return rowCount ?? 0;
}

/** Gives a claimed turn back without running it (graceful shutdown before dispatch). */
export async function releaseLease(db: Queryable, owner: string, sessionId: string, turn: number): Promise<void> {
  await db.query("UPDATE turns SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = attempts - 1 WHERE session_id = $1 AND turn = $2 AND lease_owner = $3 AND state = 'running' AND NOT dispatched", [sessionId, turn, owner]);
}

/**
 * Marks a turn as sent to its harness and writes `turn_started`. From here on, losing the
 * owner means the turn is reported interrupted rather than silently run twice. Returns whether
 * an abort was requested meanwhile.
 */
export async function markDispatched(pool: Pool, owner: string, sessionId: string, turn: number, started: SessionEvent): Promise<{ abortRequested: boolean; events: StoredEvent[] }> {
  return withTransaction(pool, async (client) => {
    const events = await appendEvents(client, sessionId, turn, [started], { owner });
    const { rows } = await client.query<{ abort_requested: boolean }>('UPDATE turns SET dispatched = true WHERE session_id = $1 AND turn = $2 AND lease_owner = $3 RETURNING abort_requested', [sessionId, turn, owner]);
    return { abortRequested: rows[0]?.abort_requested ?? false, events };
  });
}

export interface TurnOutcome {
  readonly state: Extract<TurnState, 'completed' | 'failed' | 'aborted' | 'interrupted'>;
  readonly stopReason: 'end_turn' | 'aborted' | 'error';
  readonly output: string;
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

/**
 * Ends a turn: its last events (always including the `done`) and its state in one
 * transaction, fenced by the lease. When the session ended meanwhile, `session_ended` follows.
 */
export async function finishTurn(pool: Pool, owner: string, sessionId: string, turn: number, finalEvents: readonly SessionEvent[], outcome: TurnOutcome): Promise<StoredEvent[]> {
  return withTransaction(pool, async (client) => {
    const fence: AppendFence = { owner };
    const stored = await appendEvents(client, sessionId, turn, finalEvents, fence);
    await client.query(
      `UPDATE turns SET state = $4, stop_reason = $5, output = $6, error_code = $7, error_message = $8, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
       WHERE session_id = $1 AND turn = $2 AND lease_owner = $3`,
      [sessionId, turn, owner, outcome.state, outcome.stopReason, outcome.output, outcome.error?.code ?? null, outcome.error?.message ?? null],
    );
    const session = await client.query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [sessionId]);
    const row = session.rows[0];
    if (row && row.state !== 'active') {
      const others = await client.query("SELECT 1 FROM turns WHERE session_id = $1 AND state = 'running'", [sessionId]);
      if (others.rowCount === 0) {
        const end: SessionEvent = { type: 'session_ended', state: row.state, ...(row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : {}) };
        stored.push(...(await appendEvents(client, sessionId, null, [end])));
      }
    }
    await client.query(`SELECT pg_notify('${TURNS_CHANNEL}', $1)`, [sessionId]);
    return stored;
  });
}

export interface AbortResult {
  readonly abortedQueued: readonly number[];
  readonly runningTurn: number | undefined;
}

/** Aborts a session's queued turns now and asks its running turn's owner to abort it. */
export async function requestAbort(pool: Pool, sessionId: string): Promise<AbortResult> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [sessionId]);
    const queued = await client.query<{ turn: number }>(
      "UPDATE turns SET state = 'aborted', stop_reason = 'aborted', error_code = 'aborted', error_message = 'aborted before it ran', finished_at = now() WHERE session_id = $1 AND state = 'queued' RETURNING turn",
      [sessionId],
    );
    const turns = queued.rows.map((r) => r.turn).sort((a, b) => a - b);
    for (const turn of turns) await appendEvents(client, sessionId, turn, [{ type: 'done', stopReason: 'aborted' }]);
    const running = await client.query<{ turn: number }>("UPDATE turns SET abort_requested = true WHERE session_id = $1 AND state = 'running' RETURNING turn", [sessionId]);
    const runningTurn = running.rows[0]?.turn;
    if (runningTurn !== undefined) await client.query(`SELECT pg_notify('${ABORTS_CHANNEL}', $1)`, [`${sessionId}:${runningTurn}`]);
    return { abortedQueued: turns, runningTurn };
  });
}

export async function getTurn(db: Queryable, sessionId: string, turn: number): Promise<TurnRecord | undefined> {
  const { rows } = await db.query<TurnRow>('SELECT * FROM turns WHERE session_id = $1 AND turn = $2', [sessionId, turn]);
  return rows[0] ? turnFromRow(rows[0]) : undefined;
}

export async function activeTurn(db: Queryable, sessionId: string): Promise<TurnRecord | undefined> {
  const { rows } = await db.query<TurnRow>("SELECT * FROM turns WHERE session_id = $1 AND state IN ('queued', 'running') ORDER BY turn LIMIT 1", [sessionId]);
  return rows[0] ? turnFromRow(rows[0]) : undefined;
}

/**
 * The conversation before `turn`, as handed to a harness: every turn a harness saw (input and
 * whatever the agent answered, also when it failed or was interrupted part-way), oldest first,
 * trimmed from the oldest end to fit `maxChars`.
 */
export async function historyBefore(db: Queryable, sessionId: string, turn: number, maxChars: number): Promise<HistoryMessage[]> {
  const { rows } = await db.query<{ input: string; output: string }>(
    "SELECT input, output FROM turns WHERE session_id = $1 AND turn < $2 AND dispatched AND state NOT IN ('queued', 'running') ORDER BY turn",
    [sessionId, turn],
  );
  const messages: HistoryMessage[] = [];
  for (const row of rows) {
    messages.push({ role: 'user', text: row.input });
    if (row.output !== '') messages.push({ role: 'assistant', text: row.output });
  }
  let size = messages.reduce((sum, m) => sum + m.text.length + 32, 0);
  while (size > maxChars && messages.length > 0) size -= messages.shift()!.text.length + 32;
  return messages;
}
