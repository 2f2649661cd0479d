/** Sessions: created by a team, listed and read only by that team (or the admin). */
import { randomUUID } from 'node:crypto';
import { withTransaction, type Pool, type Queryable } from '../db/pool.ts';
import { prepared } from '../db/statements.ts';
import type { SessionEvent } from '../session-events.ts';
import { appendEvents } from './events.ts';
import { columnList, SESSION_COLUMNS, sessionFromRow, type SessionRecord, type SessionRow, type SessionState } from './records.ts';
import { moveBindingToReleases } from './bindings.ts';
import { ABORTS_CHANNEL } from './channels.ts';

export interface NewSession {
  readonly team: string;
  readonly harness: string;
  readonly title?: string | undefined;
}

export async function createSession(db: Queryable, input: NewSession): Promise<SessionRecord> {
  const { rows } = await db.query<SessionRow>('INSERT INTO sessions (id, team, harness, title) VALUES ($1, $2, $3, $4) RETURNING *', [randomUUID(), input.team, input.harness, input.title ?? null]);
  return sessionFromRow(rows[0]!);
}

const GET_SESSION = prepared('paddock_get_session', `SELECT ${columnList(SESSION_COLUMNS)} FROM sessions WHERE id = $1`);
const GET_TEAM_SESSION = prepared('paddock_get_team_session', `SELECT ${columnList(SESSION_COLUMNS)} FROM sessions WHERE id = $1 AND team = $2`);

/** A session by id, seen from `team` (undefined: the admin sees every team's). */
export async function getSession(db: Queryable, id: string, team?: string): Promise<SessionRecord | undefined> {
  const { rows } = await db.query<SessionRow>(team === undefined ? GET_SESSION.with([id]) : GET_TEAM_SESSION.with([id, team]));
  return rows[0] ? sessionFromRow(rows[0]) : undefined;
}

export interface ListSessionsQuery {
  readonly team?: string | undefined;
  readonly state?: SessionState | undefined;
  readonly limit: number;
  /** keyset cursor: sessions created before this one */
  readonly before?: { readonly createdAt: Date; readonly id: string } | undefined;
}

export async function listSessions(db: Queryable, query: ListSessionsQuery): Promise<SessionRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.team !== undefined) where.push(`team = ${param(query.team)}`);
  if (query.state !== undefined) where.push(`state = ${param(query.state)}`);
  if (query.before) where.push(`(created_at, id) < (${param(query.before.createdAt)}, ${param(query.before.id)})`);
  const { rows } = await db.query<SessionRow>(`SELECT * FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ${param(query.limit)}`, params);
  return rows.map(sessionFromRow);
}

export interface SessionEndResult {
  readonly session: SessionRecord;
  /** the turn now asked to abort (its owner finishes it), if one was running */
  readonly runningTurn: number | undefined;
  /** false when the session had already ended */
  readonly changed: boolean;
}

/**
 * Ends (`ended`) or fails (`failed`) a session in one transaction: queued turns are aborted
 * (each gets its `done`), a running turn is asked to abort, the sandbox binding moves to the
 * release queue, and `session_ended` closes the log (after the running turn's `done`, written by
 * that turn's owner, when one runs).
 */
export async function finishSession(pool: Pool, id: string, state: Exclude<SessionState, 'active'>, error?: { code: string; message: string }, team?: string): Promise<SessionEndResult | undefined> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<SessionRow>(`SELECT * FROM sessions WHERE id = $1 ${team === undefined ? '' : 'AND team = $2'} FOR UPDATE`, team === undefined ? [id] : [id, team]);
    const current = rows[0];
    if (!current) return undefined;
    if (current.state !== 'active') return { session: sessionFromRow(current), runningTurn: undefined, changed: false };
    const queued = await client.query<{ turn: number }>(
      "UPDATE turns SET state = 'aborted', stop_reason = 'aborted', error_code = 'session_ended', error_message = 'the session ended before this turn ran', finished_at = now() WHERE session_id = $1 AND state = 'queued' RETURNING turn",
      [id],
    );
    for (const { turn } of queued.rows.sort((a, b) => a.turn - b.turn)) {
      await appendEvents(client, id, turn, [{ type: 'done', stopReason: 'aborted' }]);
    }
    const running = await client.query<{ turn: number }>("UPDATE turns SET abort_requested = true WHERE session_id = $1 AND state = 'running' RETURNING turn", [id]);
    for (const { turn } of running.rows) await client.query(`SELECT pg_notify('${ABORTS_CHANNEL}', $1)`, [`${id}:${turn}`]);
    await moveBindingToReleases(client, id);
    // with a turn still running, its owner closes the log after that turn's `done`
    if (running.rows.length === 0) await appendEvents(client, id, null, [sessionEndedEvent(state, error)]);
    const updated = await client.query<SessionRow>(
      'UPDATE sessions SET state = $2, error_code = $3, error_message = $4, ended_at = now(), updated_at = now() WHERE id = $1 RETURNING *',
      [id, state, error?.code ?? null, error?.message ?? null],
    );
    return { session: sessionFromRow(updated.rows[0]!), runningTurn: running.rows[0]?.turn, changed: true };
  });
}

export function sessionEndedEvent(state: Exclude<SessionState, 'active'>, error?: { code: string; message: string } | undefined): SessionEvent {
  return { type: 'session_ended', state, ...(error ? { code: error.code, message: error.message } : {}) };
}

export async function countSessionsByState(db: Queryable): Promise<Record<SessionState, number>> {
  const { rows } = await db.query<{ state: SessionState; n: number }>('SELECT state, count(*)::int AS n FROM sessions GROUP BY state');
  const counts: Record<SessionState, number> = { active: 0, ended: 0, failed: 0 };
  for (const row of rows) counts[row.state] = row.n;
  return counts;
}
