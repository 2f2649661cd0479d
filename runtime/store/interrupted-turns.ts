/**
 * Reporting, in bulk, the turns whose owner died after their harness got the input.
 *
 * Such a turn is never run again (ADR 0005): it is recorded `interrupted` with the text it
 * streamed so far, an `error interrupted` and a `done`. Claiming each one and finishing it
 * on its own cost a claim, a read of its streamed text and a commit per turn; after a crash
 * of a replica running 1,000 turns that was most of the recovery time (ADR 0020). Here one
 * statement reports up to `limit` of them: every running, dispatched turn whose lease has
 * expired (locked with SKIP LOCKED, so two replicas never report the same turn), each
 * session's `last_seq` bumped by two and both events inserted with those seqs, one commit.
 * The caller publishes the events and announces the sessions after the commit (ADR 0020).
 */
import type { Queryable } from '../db/pool.ts';
import { prepared } from '../db/statements.ts';
import type { SessionEvent, StoredEvent } from '../session-events.ts';

export const INTERRUPTED_MESSAGE = 'the runtime replica running this turn stopped (crash or restart) while the agent was working; the output so far is kept. Send the message again to retry.';

const ERROR_EVENT: SessionEvent = { type: 'error', code: 'interrupted', message: INTERRUPTED_MESSAGE, retryable: true };
const DONE_EVENT: SessionEvent = { type: 'done', stopReason: 'error' };

const REPORT_INTERRUPTED = prepared(
  'paddock_report_interrupted_turns',
  `WITH candidates AS (
       -- not locked here: the sessions are locked first (below), then their turns, the one
       -- lock order (finishSession locks a session, then its running turn)
       SELECT t.session_id, t.turn FROM turns t
       WHERE t.state = 'running' AND t.dispatched AND (t.lease_expires_at IS NULL OR t.lease_expires_at < now())
       ORDER BY t.created_at
       LIMIT $1
     ), locked_sessions AS (
       -- in id order, as every statement that locks several sessions does (turns.ts
       -- enqueueTurns, events.ts); one that another transaction holds is skipped
       SELECT l.id FROM (SELECT session_id FROM candidates ORDER BY session_id) c
       CROSS JOIN LATERAL (SELECT id FROM sessions WHERE id = c.session_id FOR UPDATE SKIP LOCKED) l
     ), locked_turns AS (
       -- then the turns, in (session, turn) order as renewLeases locks them, re-checked as they
       -- are now and skipped when another transaction holds one (a renewal, a claim, another
       -- report): this statement never waits for a lock, so it is in no deadlock
       SELECT x.session_id, x.turn FROM (
         SELECT session_id, turn FROM candidates WHERE session_id = ANY (ARRAY(SELECT id FROM locked_sessions)) ORDER BY session_id, turn
       ) c CROSS JOIN LATERAL (
         SELECT session_id, turn FROM turns
         WHERE session_id = c.session_id AND turn = c.turn AND state = 'running' AND dispatched AND (lease_expires_at IS NULL OR lease_expires_at < now())
         FOR UPDATE SKIP LOCKED
       ) x
     ), upd AS (
       -- a session has at most one running turn, so each session appears once below
       UPDATE turns t SET state = 'interrupted', stop_reason = 'error', error_code = 'interrupted', error_message = $2,
         finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
         output = coalesce((SELECT string_agg(e.data->>'text', '' ORDER BY e.seq) FROM events e
                            WHERE e.session_id = t.session_id AND e.turn = t.turn AND e.type = 'text_delta'), '')
       FROM locked_turns c
       WHERE t.session_id = c.session_id AND t.turn = c.turn
       RETURNING t.session_id, t.turn
     ), bump AS (
       UPDATE sessions s SET last_seq = s.last_seq + 2, updated_at = now()
       FROM upd WHERE s.id = upd.session_id
       RETURNING s.id, upd.turn, s.last_seq, s.last_turn, s.state, s.team, s.harness
     ), ins AS (
       INSERT INTO events (session_id, seq, turn, type, data)
       SELECT b.id, b.last_seq - 1, b.turn, 'error', $3::jsonb FROM bump b
       UNION ALL
       SELECT b.id, b.last_seq, b.turn, 'done', $4::jsonb FROM bump b
       RETURNING session_id
     )
     SELECT b.id AS session_id, b.turn, b.last_seq, b.last_turn, b.state AS session_state, b.team, b.harness, now() AS created_at,
       (SELECT count(*)::int FROM ins) AS inserted
     FROM bump b`,
);

export interface InterruptedTurn {
  readonly sessionId: string;
  readonly turn: number;
  readonly team: string;
  readonly harness: string;
  /** its `error` and `done`, as stored */
  readonly events: readonly StoredEvent[];
  /** a later turn of the session exists (it may be runnable now) */
  readonly laterTurn: boolean;
  /** the session's state: when not active, its log still needs `session_ended` (closeEndedSessionLog) */
  readonly sessionState: string;
}

interface ReportedRow {
  session_id: string;
  turn: number;
  last_seq: number;
  last_turn: number;
  session_state: string;
  team: string;
  harness: string;
  created_at: Date;
  inserted: number;
}

/**
 * Reports up to `limit` interrupted turns (of any dead owner) in one statement; returns them.
 * It never waits for a lock: a turn or session another transaction holds is left for a later
 * call (or the claim pass), so fewer than `limit` does not mean none are left.
 */
export async function reportInterruptedTurns(db: Queryable, limit: number): Promise<InterruptedTurn[]> {
  const { rows } = await db.query<ReportedRow>(REPORT_INTERRUPTED.with([limit, INTERRUPTED_MESSAGE, JSON.stringify(ERROR_EVENT), JSON.stringify(DONE_EVENT)]));
  if (rows.length > 0 && rows[0]!.inserted !== rows.length * 2) throw new Error(`reporting interrupted turns: the statement stored ${rows[0]!.inserted} events for ${rows.length} turns`);
  return rows.map((row) => ({
    sessionId: row.session_id,
    turn: row.turn,
    team: row.team,
    harness: row.harness,
    events: [
      { sessionId: row.session_id, seq: row.last_seq - 1, turn: row.turn, event: ERROR_EVENT, createdAt: row.created_at },
      { sessionId: row.session_id, seq: row.last_seq, turn: row.turn, event: DONE_EVENT, createdAt: row.created_at },
    ],
    laterTurn: row.last_turn > row.turn,
    sessionState: row.session_state,
  }));
}
