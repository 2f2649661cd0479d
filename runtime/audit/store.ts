/**
 * The audit_log table (runtime/migrations/0004_audit.sql): inserts of audited requests (many in
 * one statement: audit/trail.ts gathers them), a keyset-paged query, and the retention's only
 * delete (paddock_audit_expire).
 */
import type { Queryable } from '../db/pool.ts';

export interface AuditEntry {
  readonly principal: 'admin' | 'team';
  /** the team of a team principal */
  readonly team: string | undefined;
  readonly action: string;
  readonly sessionId: string | undefined;
  /** whose data: a team principal's own team, the team= filter of an admin read; undefined: all or the session's */
  readonly subjectTeam: string | undefined;
  readonly requestId: string;
  readonly clientAddress: string | undefined;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly errorCode: string | undefined;
}

export interface AuditRecord extends AuditEntry {
  readonly id: number;
  readonly at: Date;
}

/** An entry as the trail holds it: with the id that makes writing it again a no-op. */
export interface RecordedAuditEntry extends AuditEntry {
  /** a random UUID given when the request was recorded (audit_log.entry_id, unique) */
  readonly entryId: string;
}

/**
 * Inserts `entries` in one statement (one commit), their ids in the given order, and returns
 * how many rows it added: an entry whose `entryId` is already there is skipped, so a batch sent
 * again after its commit's answer was lost writes nothing twice. An admin's request about a
 * session is about that session's team (kept even if it is deleted later).
 */
export async function insertAuditMany(db: Queryable, entries: readonly RecordedAuditEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const column = <T>(pick: (e: RecordedAuditEntry) => T | undefined) => entries.map((e) => pick(e) ?? null);
  const { rowCount } = await db.query(
    `INSERT INTO audit_log (entry_id, principal, team, action, session_id, subject_team, request_id, client_address, method, route, status, error_code)
     SELECT u.entry_id, u.principal, u.team, u.action, u.session_id, COALESCE(u.subject_team, (SELECT team FROM sessions WHERE id = u.session_id)),
            u.request_id, u.client_address, u.method, u.route, u.status, u.error_code
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::text[])
            WITH ORDINALITY AS u(entry_id, principal, team, action, session_id, subject_team, request_id, client_address, method, route, status, error_code, ord)
      ORDER BY u.ord
     ON CONFLICT (entry_id) WHERE entry_id IS NOT NULL DO NOTHING`,
    [
      column((e) => e.entryId), column((e) => e.principal), column((e) => e.team), column((e) => e.action), column((e) => e.sessionId), column((e) => e.subjectTeam),
      column((e) => e.requestId), column((e) => e.clientAddress), column((e) => e.method), column((e) => e.route), column((e) => e.status), column((e) => e.errorCode),
    ],
  );
  return rowCount ?? 0;
}

export interface AuditQuery {
  /** inclusive */
  readonly from?: Date | undefined;
  /** exclusive */
  readonly to?: Date | undefined;
  readonly sessionId?: string | undefined;
  readonly action?: string | undefined;
  /** rows about this team's data (what it did, and what the admin read of it); undefined: every row */
  readonly team?: string | undefined;
  /** rows older than this id (pages go newest first) */
  readonly beforeId?: number | undefined;
  readonly limit: number;
}

interface Row {
  id: number;
  at: Date;
  principal: 'admin' | 'team';
  team: string | null;
  action: string;
  session_id: string | null;
  subject_team: string | null;
  request_id: string;
  client_address: string | null;
  method: string;
  route: string;
  status: number;
  error_code: string | null;
}

export async function queryAudit(db: Queryable, query: AuditQuery): Promise<AuditRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT id, at, principal, team, action, session_id, subject_team, request_id, client_address, method, route, status, error_code
       FROM audit_log
      WHERE ($1::timestamptz IS NULL OR at >= $1)
        AND ($2::timestamptz IS NULL OR at < $2)
        AND ($3::uuid IS NULL OR session_id = $3)
        AND ($4::text IS NULL OR action = $4)
        AND ($5::text IS NULL OR subject_team = $5)
        AND ($6::bigint IS NULL OR id < $6)
      ORDER BY id DESC
      LIMIT $7`,
    [query.from ?? null, query.to ?? null, query.sessionId ?? null, query.action ?? null, query.team ?? null, query.beforeId ?? null, query.limit],
  );
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    principal: r.principal,
    team: r.team ?? undefined,
    action: r.action,
    sessionId: r.session_id ?? undefined,
    subjectTeam: r.subject_team ?? undefined,
    requestId: r.request_id,
    clientAddress: r.client_address ?? undefined,
    method: r.method,
    route: r.route,
    status: r.status,
    errorCode: r.error_code ?? undefined,
  }));
}

/** Deletes the rows older than the retention (at least 30 days); returns how many. */
export async function expireAudit(db: Queryable, retentionDays: number): Promise<number> {
  const { rows } = await db.query<{ removed: number }>('SELECT paddock_audit_expire($1) AS removed', [retentionDays]);
  return Number(rows[0]?.removed ?? 0);
}
