/**
 * The append-only event log. Appending bumps the session's `last_seq` and inserts the rows in
 * one statement, so seqs are unique, monotonic and gap-free per session, and a reader never
 * sees an event that is not committed. A NOTIFY in the same statement (delivered on commit)
 * wakes every replica's live streams.
 */
import type { Queryable } from '../db/pool.ts';
import { prepared } from '../db/statements.ts';
import type { SessionEvent, StoredEvent } from '../session-events.ts';

import { EVENTS_CHANNEL } from './channels.ts';

/** The writer no longer owns the turn (its lease expired and another replica took it). */
export class LeaseLostError extends Error {
  constructor(sessionId: string, turn: number) {
    super(`lost the lease of turn ${turn} of session ${sessionId}`);
    this.name = 'LeaseLostError';
  }
}

export interface AppendFence {
  /** only append while this owner holds the running turn's lease */
  readonly owner: string;
}

interface AppendedRow {
  last_seq: number;
  inserted: number;
  created_at: Date;
}

/** appendEvents' statement ($3: the events as one JSON array), optionally fenced by the turn's lease ($4: owner) */
const appendSql = (fenced: boolean) => `WITH bump AS (
       UPDATE sessions SET last_seq = last_seq + jsonb_array_length($3::jsonb), updated_at = now()
       WHERE id = $1 ${fenced ? `AND EXISTS (SELECT 1 FROM turns WHERE session_id = $1 AND turn = $2 AND state = 'running' AND lease_owner = $4)` : ''}
       RETURNING last_seq
     ), inserted AS (
       INSERT INTO events (session_id, seq, turn, type, data)
       SELECT $1, bump.last_seq - jsonb_array_length($3::jsonb) + x.ord, $2, x.data->>'type', x.data
       FROM bump, jsonb_array_elements($3::jsonb) WITH ORDINALITY AS x(data, ord)
       RETURNING seq
     )${
       // a turn's own appends (fenced) are announced by the caller after the commit (db/notifier.ts);
       // the unfenced ones run inside transactions and notify with their commit
       fenced
         ? `
     SELECT bump.last_seq, (SELECT count(*)::int FROM inserted) AS inserted, now() AS created_at FROM bump`
         : `, notified AS (
       SELECT pg_notify('${EVENTS_CHANNEL}', $1::text || ':' || max(seq)::text) FROM inserted HAVING count(*) > 0
     )
     -- one row: the events got seqs last_seq - n + 1 .. last_seq and created_at = now()
     SELECT bump.last_seq, (SELECT count(*)::int FROM inserted) AS inserted, now() AS created_at FROM bump, notified`
     }`;
const APPEND = prepared('paddock_append_events', appendSql(false));
const APPEND_FENCED = prepared('paddock_append_events_fenced', appendSql(true));

/**
 * Appends events of one turn (or of no turn: `turn` null). With a fence, nothing is written
 * unless `owner` still holds the turn's lease (LeaseLostError). Returns the stored events.
 */
export async function appendEvents(db: Queryable, sessionId: string, turn: number | null, events: readonly SessionEvent[], fence?: AppendFence): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const statement = fence ? APPEND_FENCED : APPEND;
  const { rows } = await db.query<AppendedRow>(statement.with([sessionId, turn, JSON.stringify(events), ...(fence ? [fence.owner] : [])]));
  const row = rows[0];
  if (!row) {
    if (fence && turn !== null) throw new LeaseLostError(sessionId, turn);
    throw new Error(`session ${sessionId} does not exist`);
  }
  return storedTail(sessionId, turn, events, row);
}

/** One turn's part of a multi-turn append: its events, fenced by its lease. */
export interface TurnAppend {
  readonly sessionId: string;
  readonly turn: number;
  /** the lease owner the turn must still have */
  readonly owner: string;
  readonly events: readonly SessionEvent[];
}

/**
 * appendManyTurns' statement: $1 is a JSON array of {i, s, t, o, e} (index, session, turn,
 * owner, events). Each session's `last_seq` is bumped by its events' count and they are
 * inserted with those seqs, only where the owner still holds the running turn's lease; one
 * row per appended entry. Each session must appear once ("UPDATE ... FROM" updates a row once).
 */
const APPEND_MANY = prepared(
  'paddock_append_events_many_turns',
  `WITH input AS (
       SELECT i, s, t, o, e FROM jsonb_to_recordset($1::jsonb) AS x(i int, s uuid, t int, o text, e jsonb) ORDER BY s
     ), locked AS (
       -- the sessions locked in id order, before any is updated, as every statement that locks
       -- several sessions does (turns.ts enqueueTurns): two such statements never deadlock
       SELECT l.id FROM input CROSS JOIN LATERAL (SELECT id FROM sessions WHERE id = input.s FOR UPDATE) l
     ), bump AS (
       UPDATE sessions SET last_seq = last_seq + jsonb_array_length(input.e), updated_at = now()
       FROM input
       WHERE sessions.id = input.s
         AND sessions.id = ANY (ARRAY(SELECT id FROM locked))
         AND EXISTS (SELECT 1 FROM turns WHERE turns.session_id = input.s AND turns.turn = input.t AND turns.state = 'running' AND turns.lease_owner = input.o)
       RETURNING input.i, input.s, input.t, input.e, sessions.last_seq
     ), inserted AS (
       INSERT INTO events (session_id, seq, turn, type, data)
       SELECT bump.s, bump.last_seq - jsonb_array_length(bump.e) + x.ord, bump.t, x.data->>'type', x.data
       FROM bump, jsonb_array_elements(bump.e) WITH ORDINALITY AS x(data, ord)
       RETURNING session_id
     ), counted AS (
       SELECT session_id, count(*)::int AS n FROM inserted GROUP BY session_id
     )
     SELECT bump.i, bump.last_seq, coalesce(counted.n, 0) AS inserted, now() AS created_at FROM bump LEFT JOIN counted ON counted.session_id = bump.s`,
);

/**
 * Appends the events of many turns (of distinct sessions) in one statement and one commit —
 * a replica's group commit (executor/group-commit.ts). Per entry, in order: its stored events,
 * or a LeaseLostError when its owner no longer holds the turn (nothing of it was written).
 */
export async function appendManyTurns(db: Queryable, appends: readonly TurnAppend[]): Promise<(StoredEvent[] | LeaseLostError)[]> {
  if (appends.length === 0) return [];
  const sessions = new Set(appends.map((a) => a.sessionId));
  if (sessions.size !== appends.length) throw new Error('appendManyTurns: a session appears more than once in one statement');
  const input = JSON.stringify(appends.map((a, i) => ({ i, s: a.sessionId, t: a.turn, o: a.owner, e: a.events })));
  const { rows } = await db.query<{ i: number; last_seq: number; inserted: number; created_at: Date }>(APPEND_MANY.with([input]));
  const written = new Map(rows.map((row) => [row.i, row]));
  return appends.map((a, i) => {
    const row = written.get(i);
    return row ? storedTail(a.sessionId, a.turn, a.events, row) : new LeaseLostError(a.sessionId, a.turn);
  });
}

/**
 * The events a statement just inserted, from what it reports instead of echoing them back: the
 * seqs end at the session's new `last_seq` and every row got the transaction's `now()`.
 */
export function storedTail(sessionId: string, turn: number | null, events: readonly SessionEvent[], written: { last_seq: number; inserted: number; created_at: Date }): StoredEvent[] {
  if (written.inserted !== events.length) throw new Error(`session ${sessionId}${turn === null ? '' : `, turn ${turn}`}: the statement stored ${written.inserted} of ${events.length} events`);
  const first = written.last_seq - events.length + 1;
  return events.map((event, i) => ({ sessionId, seq: first + i, turn, event, createdAt: written.created_at }));
}

interface EventRow {
  seq: number;
  turn: number | null;
  data: SessionEvent;
  created_at: Date;
}

const LIST_EVENTS = prepared('paddock_list_events', 'SELECT seq, turn, data, created_at FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3');

/** Events with seq > after, oldest first. */
export async function listEvents(db: Queryable, sessionId: string, after: number, limit: number): Promise<StoredEvent[]> {
  const { rows } = await db.query<EventRow>(LIST_EVENTS.with([sessionId, after, limit]));
  return rows.map((row) => ({ sessionId, seq: row.seq, turn: row.turn, event: row.data, createdAt: row.created_at }));
}

/** The assistant text a turn streamed so far (for a turn that never finished cleanly). */
export async function streamedText(db: Queryable, sessionId: string, turn: number): Promise<string> {
  const { rows } = await db.query<{ text: string | null }>(
    "SELECT string_agg(data->>'text', '' ORDER BY seq) AS text FROM events WHERE session_id = $1 AND turn = $2 AND type = 'text_delta'",
    [sessionId, turn],
  );
  return rows[0]?.text ?? '';
}
