/**
 * Turns and their ownership. A turn is persisted (with the user's message as an event) before
 * any harness call; runtime replicas then claim runnable turns with leases taken through
 * `FOR UPDATE SKIP LOCKED`, so two replicas never run the same turn, and a turn whose owner
 * died is picked up again once its lease expires.
 */
import { withTransaction, type Pool, type Queryable } from '../db/pool.ts';
import { prepared } from '../db/statements.ts';
import type { HistoryMessage, TurnUsage } from '../../harnesses/protocol/types.ts';
import type { SessionEvent, StoredEvent } from '../session-events.ts';
import { appendEvents, LeaseLostError, storedTail } from './events.ts';
import type { SandboxBinding } from '../drivers/sandbox-driver.ts';
import { BINDING_COLUMNS, bindingFromRow, bindingParams, bindSandboxCtes, type BindingRow, type StoredBinding } from './bindings.ts';
import { columnList, TURN_COLUMNS, turnFromRow, type SessionRow, type TurnRecord, type TurnRow, type TurnState } from './records.ts';

import type { Notifier } from '../db/notifier.ts';
import { ABORTS_CHANNEL, TURNS_CHANNEL } from './channels.ts';

interface HistoryTurn {
  input: string;
  output: string;
}

/** The history handed to a harness is trimmed from its oldest end above this many characters (ADR 0005). */
export const DEFAULT_HISTORY_MAX_CHARS = 768 * 1024;

/** Turns before `turn` of session `session` (SQL expressions) that a harness saw, oldest first, as a JSON array. */
const historySql = (session: string, turn: string) => `SELECT coalesce(json_agg(json_build_object('input', h.input, 'output', h.output) ORDER BY h.turn), '[]'::json)
  FROM turns h WHERE h.session_id = ${session} AND h.turn < ${turn} AND h.dispatched AND h.state NOT IN ('queued', 'running')`;
/** historySql of session $1 before turn $2 */
const HISTORY_SQL = historySql('$1', '$2');

export type EnqueueResult =
  | {
      readonly ok: true;
      readonly turn: TurnRecord;
      /** `user_message`, then `turn_started` when the turn was dispatched at once */
      readonly events: readonly StoredEvent[];
      /** set when the turn was claimed and dispatched in the same statement (see FastDispatch) */
      readonly dispatched?: { readonly claimed: ClaimedTurn; readonly history: HistoryMessage[] } | undefined;
      /** set when the turn was claimed (leased to the caller) but not dispatched by the statement */
      readonly claimed?: ClaimedTurn | undefined;
    }
  | { readonly ok: false; readonly reason: 'not_found' | 'not_active' | 'too_many_queued'; readonly state?: string };

/** A session's conversation through one of its turns, as handed to its harness. */
export interface KnownConversation {
  /** the turn this conversation ends with (its input and output included) */
  readonly throughTurn: number;
  readonly history: readonly HistoryMessage[];
}

/**
 * The replica taking a message, when it has room for another turn, claims the turn in the same
 * statement if nothing else of the session is unfinished: the turn is leased to it at once
 * instead of being announced to every replica and claimed in another round trip. When the
 * session's sandbox is also `sandboxId`, a sandbox this replica saw end a turn cleanly moments
 * ago (so no check is needed before sending), the turn is dispatched too: that removes two
 * commits from a turn's critical path. Otherwise the turn is queued for any replica to claim.
 */
export interface FastDispatch {
  readonly owner: string;
  readonly leaseMs: number;
  /** the session's sandbox, trusted by this replica: the turn can be sent to it at once */
  readonly sandboxId?: string | undefined;
  readonly historyMaxChars: number;
  /**
   * the conversation through the session's previous turn, as this replica last handed it
   * over (executor/conversation-cache.ts): used when the new turn directly follows it
   */
  readonly knownHistory?: KnownConversation | undefined;
}

interface EnqueueRow extends TurnRow {
  /** the request's index in the statement's input */
  k: number;
  session_state: string;
  session_team: string;
  session_harness: string;
  unfinished: number;
  claim: boolean | null;
  fast: boolean | null;
  /** seq of the last event inserted (the events are the ones this statement was given) */
  last_seq: number | null;
  inserted: number;
  events_at: Date;
  /** null when the caller's known history applies */
  history: HistoryTurn[] | null;
  binding: BindingRow | null;
  notified: number;
}

/** One message to store as a turn (enqueueTurns). */
export interface EnqueueRequest {
  readonly sessionId: string;
  /** a team principal's team: another team's session is not found */
  readonly team: string | undefined;
  readonly input: string;
  readonly maxQueued: number;
  readonly fast?: FastDispatch | undefined;
  readonly traceParent?: string | undefined;
}

/**
 * enqueueTurns' statement. $1 is a JSON array of requests {k, s, i, m, x, t, o, b, l, h, p}:
 * index, session, input, the user_message event, max unfinished turns, team, claimer (owner),
 * trusted sandbox, lease ms, the turn the claimer's known history ends with, traceparent; each
 * session at most once ("UPDATE ... FROM" updates a row once). Per request, as one statement
 * did for one before: turn + `user_message` (+ its lease when claimed, + `turn_started` when
 * fast) + NOTIFY, all in one commit. Sessions are locked in id order, as every statement that
 * locks several sessions does (events.ts), so two of them never deadlock.
 */
const ENQUEUE_TURNS = prepared(
  'paddock_enqueue_turns',
  `WITH i AS (
       SELECT k, s, i, m, x, t, o, b, l, h, p
       FROM jsonb_to_recordset($1::jsonb) AS r(k int, s uuid, i text, m jsonb, x int, t text, o text, b text, l double precision, h int, p text)
       ORDER BY s
     ), s AS (
       -- one lookup per request (LATERAL: never a scan of every session), locked in id order
       SELECT i.k, x.id, x.state, x.team, x.harness, x.locked_last_turn
       FROM i CROSS JOIN LATERAL (
         SELECT id, state, team, harness, last_turn AS locked_last_turn FROM sessions WHERE id = i.s AND (i.t IS NULL OR team = i.t) FOR UPDATE
       ) x
     ), q AS MATERIALIZED (
       -- the count reads the statement's snapshot, s the row as locked: an enqueue that
       -- committed while this one waited for the lock is missing from the count but not from
       -- s.last_turn
       SELECT s.k, (SELECT count(*)::int FROM turns WHERE session_id = s.id AND state IN ('queued', 'running'))
                 + (s.locked_last_turn - (SELECT o.last_turn FROM sessions o WHERE o.id = s.id)) AS n
       FROM s
     ), b AS (
       -- the session's sandbox, read only for a claimer: it goes to the turn's runner
       SELECT i.k, ${columnList(BINDING_COLUMNS, 'sb')}
       FROM i CROSS JOIN LATERAL (SELECT ${columnList(BINDING_COLUMNS)} FROM sandbox_bindings WHERE session_id = i.s) sb
       WHERE i.o IS NOT NULL
     ), f AS (
       -- claim: lease the turn to the claimer; fast: and dispatch it to the sandbox it trusts
       SELECT q.k, q.n, (q.n = 0 AND i.o IS NOT NULL) AS claim, (q.n = 0 AND EXISTS (SELECT 1 FROM b WHERE b.k = q.k AND b.sandbox_id = i.b)) AS fast
       FROM q JOIN i ON i.k = q.k
     ), bump AS (
       -- the rows are locked already (s); by id list, so an index lookup each
       UPDATE sessions SET last_turn = last_turn + 1, updated_at = now(),
         last_seq = last_seq + (CASE WHEN sessions.id = ANY (ARRAY(SELECT s.id FROM s JOIN f ON f.k = s.k WHERE f.fast)) THEN 2 ELSE 1 END)
       WHERE sessions.id = ANY (ARRAY(SELECT s.id FROM s JOIN f ON f.k = s.k JOIN i ON i.k = s.k WHERE s.state = 'active' AND f.n < i.x))
       RETURNING sessions.id, sessions.last_turn, sessions.last_seq
     ), bumped AS (
       SELECT s.k, bump.last_turn, bump.last_seq, f.claim, f.fast FROM bump JOIN s ON s.id = bump.id JOIN f ON f.k = s.k
     ), t AS (
       INSERT INTO turns (session_id, turn, input, state, dispatched, attempts, lease_owner, lease_expires_at, started_at, trace_parent)
       SELECT i.s, bumped.last_turn, i.i,
         CASE WHEN bumped.claim THEN 'running' ELSE 'queued' END, bumped.fast, CASE WHEN bumped.claim THEN 1 ELSE 0 END,
         CASE WHEN bumped.claim THEN i.o END,
         CASE WHEN bumped.claim THEN now() + make_interval(secs => i.l / 1000) END,
         CASE WHEN bumped.claim THEN now() END,
         i.p
       FROM bumped JOIN i ON i.k = bumped.k
       RETURNING ${columnList(TURN_COLUMNS)}
     ), e AS (
       INSERT INTO events (session_id, seq, turn, type, data)
       SELECT i.s, bumped.last_seq - (CASE WHEN bumped.fast THEN 1 ELSE 0 END), bumped.last_turn, 'user_message', i.m FROM bumped JOIN i ON i.k = bumped.k
       UNION ALL
       SELECT i.s, bumped.last_seq, bumped.last_turn, 'turn_started', jsonb_build_object('type', 'turn_started', 'attempt', 1, 'sandboxGeneration', b.generation)
       FROM bumped JOIN i ON i.k = bumped.k JOIN b ON b.k = bumped.k WHERE bumped.fast
       RETURNING session_id
     ), ec AS (
       SELECT session_id, count(*)::int AS n FROM e GROUP BY session_id
     ), n AS (
       -- the events are announced by the caller after the commit (db/notifier.ts). Replicas
       -- are woken only for a turn that can run now: one queued behind an unfinished turn is
       -- announced when that turn finishes (finishTurn)
       SELECT pg_notify('${TURNS_CHANNEL}', i.s::text) FROM bumped JOIN f ON f.k = bumped.k JOIN i ON i.k = bumped.k WHERE NOT bumped.claim AND f.n = 0
     )
     SELECT i.k, s.state AS session_state, s.team AS session_team, s.harness AS session_harness, f.n AS unfinished, ${columnList(TURN_COLUMNS, 't')},
       bumped.claim, bumped.fast,
       -- the events are ours: their seqs end at last_seq and created_at is now()
       bumped.last_seq, coalesce(ec.n, 0) AS inserted, now() AS events_at,
       -- built here only when the claimer does not know it (h: the turn its copy ends with)
       CASE WHEN bumped.fast AND bumped.last_turn IS DISTINCT FROM i.h + 1 THEN (
         SELECT coalesce(json_agg(json_build_object('input', hi.input, 'output', hi.output) ORDER BY hi.turn), '[]'::json)
         FROM turns hi WHERE hi.session_id = i.s AND hi.dispatched AND hi.state NOT IN ('queued', 'running')
       ) END AS history,
       (SELECT row_to_json(bb) FROM (SELECT ${columnList(BINDING_COLUMNS)} FROM b WHERE b.k = i.k) bb) AS binding,
       (SELECT count(*)::int FROM n) AS notified
     FROM i JOIN s ON s.k = i.k JOIN f ON f.k = i.k LEFT JOIN bumped ON bumped.k = i.k LEFT JOIN t ON t.session_id = i.s LEFT JOIN ec ON ec.session_id = i.s`,
);

/**
 * Persists a new turn and its `user_message` event (the message is durable before any harness
 * sees it), one statement, so one round trip and one commit. The replicas are woken for a
 * turn left queued here; the events are announced by the caller (db/notifier.ts).
 */
export async function enqueueTurn(db: Queryable, sessionId: string, team: string | undefined, input: string, maxQueued: number, fast?: FastDispatch, traceParent?: string): Promise<EnqueueResult> {
  const [result] = await enqueueTurns(db, [{ sessionId, team, input, maxQueued, fast, traceParent }]);
  return result!;
}

/**
 * Stores many messages, of distinct sessions, in one statement and one commit (the API's
 * group commit, api/enqueue-group-commit.ts); per request, in order, what enqueueTurn says.
 */
export async function enqueueTurns(db: Queryable, requests: readonly EnqueueRequest[]): Promise<EnqueueResult[]> {
  if (requests.length === 0) return [];
  if (new Set(requests.map((r) => r.sessionId.toLowerCase())).size !== requests.length) throw new Error('enqueueTurns: a session appears more than once in one statement');
  const messages = requests.map((r): SessionEvent => ({ type: 'user_message', text: r.input }));
  const input = JSON.stringify(
    requests.map((r, k) => ({
      k, s: r.sessionId, i: r.input, m: messages[k], x: r.maxQueued, t: r.team ?? null, o: r.fast?.owner ?? null, b: r.fast?.sandboxId ?? null, l: r.fast?.leaseMs ?? 0, h: r.fast?.knownHistory?.throughTurn ?? null, p: r.traceParent ?? null,
    })),
  );
  const { rows } = await db.query<EnqueueRow>(ENQUEUE_TURNS.with([input]));
  const byIndex = new Map(rows.map((row) => [row.k, row]));
  return requests.map((request, k) => enqueueResult(request, messages[k]!, byIndex.get(k)));
}

function enqueueResult(request: EnqueueRequest, message: SessionEvent, row: EnqueueRow | undefined): EnqueueResult {
  const { sessionId, fast } = request;
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.session_state !== 'active') return { ok: false, reason: 'not_active', state: row.session_state };
  if (row.turn === null || row.last_seq === null) return { ok: false, reason: 'too_many_queued' };
  const turn = turnFromRow(row);
  const binding = row.claim && row.binding ? bindingFromRow({ ...row.binding, acquired_at: new Date(row.binding.acquired_at) }) : undefined;
  const written: SessionEvent[] = row.fast && binding ? [message, { type: 'turn_started', attempt: 1, sandboxGeneration: binding.generation }] : [message];
  const events = storedTail(sessionId, turn.turn, written, { last_seq: row.last_seq, inserted: row.inserted, created_at: row.events_at });
  if (!row.claim || !fast) return { ok: true, turn, events };
  const claimed: ClaimedTurn = { ...turn, previousState: 'queued', team: row.session_team, harness: row.session_harness, sessionState: 'active', binding };
  if (!row.fast || !binding) return { ok: true, turn, events, claimed };
  // the statement leaves the history out exactly when the caller's known one ends right before
  const history = row.history !== null ? historyMessages(row.history, fast.historyMaxChars) : [...fast.knownHistory!.history];
  return { ok: true, turn, events, dispatched: { claimed, history } };
}

export interface ClaimedTurn extends TurnRecord {
  /** 'running' when the previous owner's lease expired (it died or lost the database) */
  readonly previousState: TurnState;
  readonly team: string;
  readonly harness: string;
  readonly sessionState: string;
  /** the session's sandbox at claim time (only this turn's owner changes it now) */
  readonly binding: StoredBinding | undefined;
  /** the traceparent of the request that enqueued it (tracing on), for a turn claimed from the queue */
  readonly traceParent?: string;
}

/** claimTurns' statement: lock candidates (skipping locked ones), lease them, return them with their session and sandbox */
const CLAIM_TURNS = prepared(
  'paddock_claim_turns',
  `WITH candidates AS (
       SELECT t.session_id, t.turn, t.state AS previous_state, s.team, s.harness, s.state AS session_state
       FROM turns t JOIN sessions s ON s.id = t.session_id
       WHERE t.state IN ('queued', 'running')
         AND (t.state = 'queued' OR t.lease_expires_at IS NULL OR t.lease_expires_at < now())
         AND NOT EXISTS (SELECT 1 FROM turns p WHERE p.session_id = t.session_id AND p.turn < t.turn AND p.state IN ('queued', 'running'))
       ORDER BY t.created_at
       LIMIT $2
       FOR UPDATE OF t SKIP LOCKED
     )
     UPDATE turns t SET state = 'running', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $3::double precision / 1000),
       attempts = t.attempts + 1, started_at = coalesce(t.started_at, now())
     -- joined on the whole key and nothing else: a lookup of each candidate, not a scan of
     -- every turn of its session (which a join on the session alone may plan)
     FROM candidates c
     WHERE t.session_id = c.session_id AND t.turn = c.turn
     RETURNING ${columnList(TURN_COLUMNS, 't')}, c.previous_state, c.team, c.harness, c.session_state, t.trace_parent,
       (SELECT row_to_json(b) FROM (SELECT ${columnList(BINDING_COLUMNS)} FROM sandbox_bindings WHERE session_id = t.session_id) b) AS binding`,
);

/**
 * Claims up to `limit` runnable turns for `owner`: queued turns whose session has no earlier
 * unfinished turn, and running turns whose lease expired. Locked rows are skipped, so
 * concurrent claimers never get the same turn.
 */
export async function claimTurns(db: Queryable, owner: string, limit: number, leaseMs: number): Promise<ClaimedTurn[]> {
  const { rows } = await db.query<TurnRow & { previous_state: TurnState; team: string; harness: string; session_state: string; trace_parent: string | null; binding: BindingRow | null }>(CLAIM_TURNS.with([owner, limit, leaseMs]));
  return rows.map((row) => ({
    ...turnFromRow(row),
    ...(row.trace_parent ? { traceParent: row.trace_parent } : {}),
    previousState: row.previous_state,
    team: row.team,
    harness: row.harness,
    sessionState: row.session_state,
    binding: row.binding ? bindingFromRow({ ...row.binding, acquired_at: new Date(row.binding.acquired_at) }) : undefined,
  }));
}

export interface LeaseStatus {
  readonly sessionId: string;
  readonly turn: number;
  readonly abortRequested: boolean;
}

/** renewLeases' statement: extend the leases still held, report abort requests */
const RENEW_LEASES = prepared(
  'paddock_renew_leases',
  `WITH k AS (
       SELECT session_id, turn FROM unnest($2::uuid[], $3::int[]) AS k(session_id, turn) ORDER BY session_id, turn
     ), locked AS (
       -- the turns locked in (session, turn) order before any is updated, as the dispatches'
       -- statement does (markDispatchedMany): the two lock many turns and never deadlock
       SELECT l.session_id, l.turn FROM k CROSS JOIN LATERAL (
         SELECT session_id, turn FROM turns WHERE session_id = k.session_id AND turn = k.turn AND lease_owner = $1 AND state = 'running' FOR UPDATE
       ) l
     )
     UPDATE turns t SET lease_expires_at = now() + make_interval(secs => $4::double precision / 1000)
     FROM locked
     WHERE t.session_id = locked.session_id AND t.turn = locked.turn AND t.lease_owner = $1 AND t.state = 'running'
     RETURNING t.session_id, t.turn, t.abort_requested`,
);

/** Extends the leases `owner` still holds; returns them (a missing turn means the lease is lost). */
export async function renewLeases(db: Queryable, owner: string, turns: readonly { sessionId: string; turn: number }[], leaseMs: number): Promise<LeaseStatus[]> {
  if (turns.length === 0) return [];
  const { rows } = await db.query<{ session_id: string; turn: number; abort_requested: boolean }>(RENEW_LEASES.with([owner, turns.map((t) => t.sessionId), turns.map((t) => t.turn), leaseMs]));
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

/** Gives a claimed turn back without running it (graceful shutdown before dispatch), announced to the other replicas. */
export async function releaseLease(db: Queryable, owner: string, sessionId: string, turn: number): Promise<void> {
  await db.query(
    `WITH released AS (
       UPDATE turns SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = attempts - 1
       WHERE session_id = $1 AND turn = $2 AND lease_owner = $3 AND state = 'running' AND NOT dispatched
       RETURNING session_id
     )
     SELECT pg_notify('${TURNS_CHANNEL}', session_id::text) FROM released`,
    [sessionId, turn, owner],
  );
}

/**
 * markDispatchedMany's statement. $1 is a JSON array of {k, s, t, o, d}: index, session, turn,
 * owner, the `turn_started` event. Per entry still leased to its owner and running: the
 * `dispatched` flag, the session's `last_seq` bumped, the event inserted at it, and the
 * history the harness gets, in one commit (announced by the caller). Sessions are locked in
 * id order before any row is updated (as in enqueueTurns), then the turns in (session, turn)
 * order (as in renewLeases), found through the index of unfinished turns; each session at
 * most once. Idempotent: a turn already dispatched to its owner gets its `turn_started` back,
 * nothing is written twice (retryWhileUnavailable runs it again when a commit's answer is lost).
 */
const MARK_DISPATCHED_MANY = prepared(
  'paddock_mark_dispatched_many',
  `WITH input AS (
       SELECT k, s, t, o, d FROM jsonb_to_recordset($1::jsonb) AS r(k int, s uuid, t int, o text, d jsonb) ORDER BY s
     ), locked AS (
       SELECT l.id FROM input CROSS JOIN LATERAL (SELECT id FROM sessions WHERE id = input.s FOR UPDATE) l
     ), leased AS (
       -- every session locked first (the InitPlan), then each turn still leased to its owner,
       -- in (session, turn) order as renewLeases locks them: the two never deadlock
       SELECT input.k, x.session_id, x.turn, x.dispatched, x.abort_requested FROM input CROSS JOIN LATERAL (
         SELECT session_id, turn, dispatched, abort_requested FROM turns WHERE session_id = input.s AND turn = input.t AND lease_owner = input.o AND state = 'running' FOR UPDATE
       ) x
       WHERE input.s = ANY (ARRAY(SELECT id FROM locked))
     ), upd AS (
       -- a turn already dispatched (this statement retried after its commit's answer was lost)
       -- is not dispatched twice: its turn_started is answered again below
       UPDATE turns SET dispatched = true
       FROM leased
       WHERE turns.session_id = ANY (ARRAY(SELECT session_id FROM leased WHERE NOT dispatched)) AND turns.state = 'running'
         AND turns.session_id = leased.session_id AND turns.turn = leased.turn AND NOT leased.dispatched
       RETURNING leased.k, turns.session_id, turns.turn
     ), bump AS (
       UPDATE sessions SET last_seq = last_seq + 1, updated_at = now()
       WHERE id = ANY (ARRAY(SELECT session_id FROM upd))
       RETURNING id, last_seq
     ), ins AS (
       INSERT INTO events (session_id, seq, turn, type, data)
       SELECT bump.id, bump.last_seq, upd.turn, input.d->>'type', input.d
       FROM bump JOIN upd ON upd.session_id = bump.id JOIN input ON input.k = upd.k
       RETURNING session_id, seq, created_at
     ), started AS (
       SELECT upd.k, ins.seq, ins.created_at FROM upd JOIN ins ON ins.session_id = upd.session_id
       UNION ALL
       SELECT leased.k, e.seq, e.created_at FROM leased CROSS JOIN LATERAL (
         SELECT seq, created_at FROM events WHERE session_id = leased.session_id AND turn = leased.turn AND type = 'turn_started' ORDER BY seq DESC LIMIT 1
       ) e
       WHERE leased.dispatched
     )
     SELECT leased.k, leased.abort_requested, started.seq, started.created_at, (${historySql('leased.session_id', 'leased.turn')}) AS history
     FROM leased JOIN started ON started.k = leased.k`,
);

export interface DispatchRequest {
  readonly owner: string;
  readonly sessionId: string;
  readonly turn: number;
  readonly started: SessionEvent;
  readonly historyMaxChars?: number;
}

export interface Dispatched {
  readonly abortRequested: boolean;
  readonly events: StoredEvent[];
  readonly history: HistoryMessage[];
}

/**
 * Marks a turn as sent to its harness and appends `turn_started`, in one statement fenced by
 * the lease. From here on, losing the owner means the turn is reported interrupted rather than
 * silently run twice. Returns whether an abort was requested meanwhile.
 */
export async function markDispatched(db: Queryable, owner: string, sessionId: string, turn: number, started: SessionEvent, historyMaxChars = DEFAULT_HISTORY_MAX_CHARS): Promise<Dispatched> {
  const [result] = await markDispatchedMany(db, [{ owner, sessionId, turn, started, historyMaxChars }]);
  if (result instanceof Error) throw result;
  return result!;
}

/**
 * markDispatched for many turns of distinct sessions in one statement and one commit (the
 * executor's group commit, executor/dispatch-group-commit.ts): per request, in order, what
 * markDispatched returns, or a LeaseLostError when its owner no longer holds the turn.
 */
export async function markDispatchedMany(db: Queryable, requests: readonly DispatchRequest[]): Promise<(Dispatched | LeaseLostError)[]> {
  if (requests.length === 0) return [];
  if (new Set(requests.map((r) => r.sessionId.toLowerCase())).size !== requests.length) throw new Error('markDispatchedMany: a session appears more than once in one statement');
  const input = JSON.stringify(requests.map((r, k) => ({ k, s: r.sessionId, t: r.turn, o: r.owner, d: r.started })));
  const { rows } = await db.query<{ k: number; abort_requested: boolean; seq: number; created_at: Date; history: HistoryTurn[] }>(MARK_DISPATCHED_MANY.with([input]));
  const byIndex = new Map(rows.map((row) => [row.k, row]));
  return requests.map((r, k) => {
    const row = byIndex.get(k);
    if (!row) return new LeaseLostError(r.sessionId, r.turn);
    return { abortRequested: row.abort_requested, events: [{ sessionId: r.sessionId, seq: row.seq, turn: r.turn, event: r.started, createdAt: row.created_at }], history: historyMessages(row.history, r.historyMaxChars ?? DEFAULT_HISTORY_MAX_CHARS) };
  });
}

/**
 * bindAndDispatch's statement: markDispatched's, with a new sandbox bound first (and `sandbox
 * acquired` before `turn_started`). The session is locked, then the turn (the one lock order).
 * A turn already dispatched to its owner (the statement run again after its commit's answer was
 * lost) is not bound or dispatched twice: `already_dispatched` tells the caller to read back what
 * the first run wrote (BOUND_AND_DISPATCHED).
 */
const BIND_AND_DISPATCH = prepared(
  'paddock_bind_and_dispatch',
  `WITH s AS (
       SELECT id FROM sessions WHERE id = $1 AND state = 'active' FOR UPDATE
     ), t AS (
       SELECT dispatched, abort_requested FROM turns
       WHERE session_id = $1 AND turn = $2 AND lease_owner = $3 AND state = 'running' AND EXISTS (SELECT 1 FROM s)
       FOR UPDATE
     ), upd AS (
       UPDATE turns SET dispatched = true
       WHERE session_id = $1 AND turn = $2 AND lease_owner = $3 AND state = 'running' AND EXISTS (SELECT 1 FROM t WHERE NOT t.dispatched)
       RETURNING abort_requested
     ), bump AS (
       UPDATE sessions SET sandbox_generation = sandbox_generation + 1, last_seq = last_seq + 2, updated_at = now()
       WHERE id = $1 AND EXISTS (SELECT 1 FROM upd)
       RETURNING sandbox_generation, last_seq
     ), ${bindSandboxCtes('bump', 4)}, ins AS (
       INSERT INTO events (session_id, seq, turn, type, data)
       SELECT $1, bump.last_seq - 1, $2, 'sandbox', jsonb_build_object('type', 'sandbox', 'action', 'acquired', 'generation', bump.sandbox_generation) FROM bump
       UNION ALL
       SELECT $1, bump.last_seq, $2, 'turn_started', jsonb_build_object('type', 'turn_started', 'attempt', $10::int, 'sandboxGeneration', bump.sandbox_generation) FROM bump
       RETURNING seq
     )
     SELECT (SELECT count(*)::int FROM s) AS active, (SELECT dispatched FROM t) AS already_dispatched, upd.abort_requested, bump.sandbox_generation AS generation, bump.last_seq,
       (SELECT count(*)::int FROM ins) AS inserted, (SELECT acquired_at FROM bound) AS acquired_at, now() AS created_at,
       CASE WHEN bump.last_seq IS NOT NULL THEN (${HISTORY_SQL}) END AS history
     FROM (SELECT 1) AS one LEFT JOIN upd ON true LEFT JOIN bump ON true`,
);

/**
 * What a first bindAndDispatch of turn $2 wrote, read back for its retry: the binding when it is
 * still sandbox $3 (the one that run bound), the turn's `sandbox acquired` and `turn_started`,
 * its abort flag and the history; no row unless the turn is still running, dispatched, under
 * owner $4's lease.
 */
const BOUND_AND_DISPATCHED = prepared(
  'paddock_bound_and_dispatched',
  `SELECT (SELECT row_to_json(b) FROM (SELECT ${columnList(BINDING_COLUMNS)} FROM sandbox_bindings WHERE session_id = $1 AND sandbox_id = $3) b) AS binding, t.abort_requested,
       (SELECT json_agg(json_build_object('seq', e.seq, 'data', e.data, 'created_at', e.created_at) ORDER BY e.seq)
          FROM (SELECT seq, data, created_at FROM events WHERE session_id = $1 AND turn = $2 AND type IN ('sandbox', 'turn_started') ORDER BY seq DESC LIMIT 2) e) AS events,
       (${HISTORY_SQL}) AS history
     FROM turns t WHERE t.session_id = $1 AND t.turn = $2 AND t.lease_owner = $4 AND t.state = 'running' AND t.dispatched`,
);

export type BindAndDispatchResult =
  | { readonly ok: true; readonly binding: StoredBinding; readonly abortRequested: boolean; readonly events: StoredEvent[]; readonly history: HistoryMessage[] }
  | { readonly ok: false; readonly reason: 'session_not_active' };

/**
 * markDispatched for a turn whose sandbox was just acquired: binds it to the session (a new
 * generation; a binding still in place is queued for release), appends `sandbox acquired`
 * and `turn_started`, and marks the turn dispatched, in one statement fenced by the lease and
 * the session being active. One commit where binding, announcing and dispatching took three.
 * When the session ended meanwhile nothing is written (the caller releases the sandbox);
 * a lost lease throws LeaseLostError. Idempotent, like markDispatchedMany: run again for the
 * same sandbox after its commit's answer was lost, it answers what the first run wrote and
 * bumps nothing (retryWhileUnavailable does that).
 */
export async function bindAndDispatch(db: Queryable, owner: string, sessionId: string, turn: number, sandbox: SandboxBinding, attempt: number, historyMaxChars = DEFAULT_HISTORY_MAX_CHARS): Promise<BindAndDispatchResult> {
  const { rows } = await db.query<{ active: number; already_dispatched: boolean | null; abort_requested: boolean | null; generation: number | null; last_seq: number | null; inserted: number; acquired_at: Date | null; created_at: Date; history: HistoryTurn[] | null }>(
    BIND_AND_DISPATCH.with([sessionId, turn, owner, ...bindingParams(sandbox), attempt]),
  );
  const row = rows[0]!;
  if (row.active === 0) return { ok: false, reason: 'session_not_active' };
  if (row.already_dispatched === true) return boundAndDispatched(db, owner, sessionId, turn, sandbox, historyMaxChars);
  if (row.generation === null || row.last_seq === null || row.abort_requested === null || row.acquired_at === null) throw new LeaseLostError(sessionId, turn);
  const generation = row.generation;
  const written: SessionEvent[] = [{ type: 'sandbox', action: 'acquired', generation }, { type: 'turn_started', attempt, sandboxGeneration: generation }];
  return {
    ok: true,
    binding: { ...sandbox, sessionId, generation, acquiredAt: row.acquired_at },
    abortRequested: row.abort_requested,
    events: storedTail(sessionId, turn, written, { last_seq: row.last_seq, inserted: row.inserted, created_at: row.created_at }),
    history: historyMessages(row.history ?? [], historyMaxChars),
  };
}

/** bindAndDispatch's answer for a turn its owner already dispatched: what that dispatch wrote; LeaseLostError when it was to another sandbox. */
async function boundAndDispatched(db: Queryable, owner: string, sessionId: string, turn: number, sandbox: SandboxBinding, historyMaxChars: number): Promise<BindAndDispatchResult> {
  const { rows } = await db.query<{ binding: BindingRow | null; abort_requested: boolean; events: { seq: number; data: SessionEvent; created_at: string }[] | null; history: HistoryTurn[] }>(
    BOUND_AND_DISPATCHED.with([sessionId, turn, sandbox.sandboxId, owner]),
  );
  const row = rows[0];
  const [acquired, started] = row?.events ?? [];
  // the two events of that dispatch, for this binding's generation: anything else is not this caller's dispatch
  const ours = row?.binding && acquired?.data.type === 'sandbox' && acquired.data.generation === row.binding.generation && started?.data.type === 'turn_started' && started.data.sandboxGeneration === row.binding.generation;
  if (!row?.binding || !ours) throw new LeaseLostError(sessionId, turn);
  return {
    ok: true,
    binding: bindingFromRow({ ...row.binding, acquired_at: new Date(row.binding.acquired_at) }),
    abortRequested: row.abort_requested,
    events: [acquired!, started!].map((e) => ({ sessionId, seq: e.seq, turn, event: e.data, createdAt: new Date(e.created_at) })),
    history: historyMessages(row.history, historyMaxChars),
  };
}

export interface TurnOutcome {
  readonly state: Extract<TurnState, 'completed' | 'failed' | 'aborted' | 'interrupted'>;
  readonly stopReason: 'end_turn' | 'aborted' | 'error';
  readonly output: string;
  readonly error?: { readonly code: string; readonly message: string } | undefined;
  /** what the harness reported the turn consumed (its `done.usage`), stored with the turn */
  readonly usage?: TurnUsage | undefined;
}

/**
 * finishTurn's statement: fenced final state + last events, one commit; `announced`: a runnable
 * later turn is announced by the caller (db/notifier.ts), not here. The session is locked before
 * the turn, the one lock order (finishSession and requestAbort lock the session, then its turns):
 * ending a session as its turn finishes waits instead of deadlocking.
 */
const finishTurnSql = (announced: boolean) => `WITH s AS (
       SELECT id FROM sessions WHERE id = $1 FOR UPDATE
     ), upd AS (
       UPDATE turns SET state = $4, stop_reason = $5, output = $6, error_code = $7, error_message = $8, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
         input_tokens = $10, output_tokens = $11, cost_usd = $12
       WHERE session_id = $1 AND turn = $2 AND lease_owner = $3 AND state = 'running' AND EXISTS (SELECT 1 FROM s)
       RETURNING turn
     ), bump AS (
       UPDATE sessions SET last_seq = last_seq + jsonb_array_length($9::jsonb), updated_at = now() WHERE id = $1 AND EXISTS (SELECT 1 FROM upd)
       RETURNING last_seq, last_turn, state
     ), ins AS (
       INSERT INTO events (session_id, seq, turn, type, data)
       SELECT $1, bump.last_seq - jsonb_array_length($9::jsonb) + x.ord, $2, x.data->>'type', x.data
       FROM bump, jsonb_array_elements($9::jsonb) WITH ORDINALITY AS x(data, ord)
       RETURNING seq
     ), n AS (
       -- the events are announced by the caller after the commit (db/notifier.ts);
       -- a later turn of this session may be claimable now. last_turn comes from the row as
       -- updated (after any lock wait), so an enqueue that committed first is never missed
       SELECT ${announced ? 'true' : `pg_notify('${TURNS_CHANNEL}', $1::text)`} FROM bump WHERE bump.last_turn > $2
     )
     -- one row: the events got seqs last_seq - n + 1 .. last_seq and created_at = now()
     SELECT bump.last_seq, (SELECT count(*)::int FROM ins) AS inserted, now() AS created_at, bump.state AS session_state, (SELECT count(*)::int FROM n) AS notified FROM bump`;
const FINISH_TURN = prepared('paddock_finish_turn', finishTurnSql(false));
const FINISH_TURN_ANNOUNCED = prepared('paddock_finish_turn_announced', finishTurnSql(true));

/**
 * Ends a turn: its last events (always including the `done`) and its state in one statement,
 * fenced by the lease. When the session ended meanwhile, `session_ended` follows its `done`.
 * With a `notifier`, a later turn that may be claimable now is announced through it after the
 * commit instead of by a NOTIFY inside the statement (ADR 0020).
 */
export async function finishTurn(pool: Pool, owner: string, sessionId: string, turn: number, finalEvents: readonly SessionEvent[], outcome: TurnOutcome, notifier?: Notifier): Promise<StoredEvent[]> {
  const { rows } = await pool.query<{ last_seq: number; inserted: number; created_at: Date; session_state: string; notified: number }>((notifier ? FINISH_TURN_ANNOUNCED : FINISH_TURN).with([sessionId, turn, owner, outcome.state, outcome.stopReason, outcome.output, outcome.error?.code ?? null, outcome.error?.message ?? null, JSON.stringify(finalEvents), outcome.usage?.inputTokens ?? null, outcome.usage?.outputTokens ?? null, outcome.usage?.costUsd ?? null]));
  const row = rows[0];
  if (!row) throw new LeaseLostError(sessionId, turn);
  // a later turn of the session may be claimable now (the statement counted it in `notified`)
  if (notifier && row.notified > 0) notifier.notify(TURNS_CHANNEL, sessionId);
  const stored = storedTail(sessionId, turn, finalEvents, row);
  if (row.session_state !== 'active') stored.push(...(await closeEndedSessionLog(pool, sessionId)));
  return stored;
}

/**
 * Appends `session_ended` to a session that ended while a turn ran, once that turn finished
 * (exactly once: under the session's row lock, and only when it is not there yet).
 */
export async function closeEndedSessionLog(pool: Pool, sessionId: string): Promise<StoredEvent[]> {
  return withTransaction(pool, async (client) => {
    const session = await client.query<SessionRow>('SELECT * FROM sessions WHERE id = $1 FOR UPDATE', [sessionId]);
    const row = session.rows[0];
    if (!row || row.state === 'active') return [];
    const running = await client.query("SELECT 1 FROM turns WHERE session_id = $1 AND state = 'running'", [sessionId]);
    const closed = await client.query("SELECT 1 FROM events WHERE session_id = $1 AND type = 'session_ended'", [sessionId]);
    if ((running.rowCount ?? 0) > 0 || (closed.rowCount ?? 0) > 0) return [];
    const end: SessionEvent = { type: 'session_ended', state: row.state, ...(row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : {}) };
    return appendEvents(client, sessionId, null, [end]);
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
 * The conversation as handed to a harness: every turn a harness saw (input and whatever the
 * agent answered, also when it failed or was interrupted part-way), oldest first, trimmed from
 * the oldest end to fit `maxChars`.
 */
export function historyMessages(turns: readonly HistoryTurn[], maxChars: number): HistoryMessage[] {
  const messages: HistoryMessage[] = [];
  for (const row of turns) messages.push(...turnMessages(row));
  return trimHistory(messages, maxChars);
}

/**
 * The conversation after one more turn: `history` (already trimmed) plus the turn's input and
 * output. Trimming is from the oldest end, so this equals historyMessages over all turns.
 */
export function continueHistory(history: readonly HistoryMessage[], turn: HistoryTurn, maxChars: number): HistoryMessage[] {
  return trimHistory([...history, ...turnMessages(turn)], maxChars);
}

function turnMessages(turn: HistoryTurn): HistoryMessage[] {
  return turn.output === '' ? [{ role: 'user', text: turn.input }] : [{ role: 'user', text: turn.input }, { role: 'assistant', text: turn.output }];
}

function trimHistory(messages: HistoryMessage[], maxChars: number): HistoryMessage[] {
  let size = messages.reduce((sum, m) => sum + m.text.length + 32, 0);
  let drop = 0;
  while (size > maxChars && drop < messages.length) size -= messages[drop++]!.text.length + 32;
  return drop === 0 ? messages : messages.slice(drop);
}

/** The conversation before `turn` (see historyMessages). */
export async function historyBefore(db: Queryable, sessionId: string, turn: number, maxChars: number): Promise<HistoryMessage[]> {
  const { rows } = await db.query<{ history: HistoryTurn[] }>(`SELECT (${HISTORY_SQL}) AS history`, [sessionId, turn]);
  return historyMessages(rows[0]?.history ?? [], maxChars);
}
