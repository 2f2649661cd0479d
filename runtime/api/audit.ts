/**
 * `GET /v1/audit?from=&to=&session=&action=&cursor=&limit=[&team=]`: the audit trail (ADR 0027),
 * newest first, in pages. A team token sees the rows about its team's data (what its tokens
 * did, and what the admin token read of it); the admin token sees every row, or one team's
 * with `team=`. Every parameter is validated; a problem answers 400 naming it.
 */
import type { ServerResponse } from 'node:http';
import { HttpError, sendJson } from '../../harnesses/protocol/http.ts';
import { AUDIT_ACTIONS } from '../audit/actions.ts';
import { queryAudit, type AuditQuery, type AuditRecord } from '../audit/store.ts';
import type { Principal } from '../auth.ts';
import type { Pool } from '../db/pool.ts';
import { isUuid } from './schemas.ts';
import { parseTimestamp } from './usage.ts';

export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 500;

function encodeCursor(id: number): string {
  return Buffer.from(`a${id}`).toString('base64url');
}

function decodeCursor(value: string): number {
  const match = /^a(\d{1,18})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) throw new HttpError(400, 'invalid_query', '"cursor" is not a cursor this API returned (use nextCursor from the previous page)');
  return Number(match[1]);
}

/** The request's parameters, validated; every problem names the parameter. */
export function auditQuery(url: URL, principal: Principal, knownTeams: ReadonlySet<string>): AuditQuery {
  const allowed = principal.kind === 'admin' ? ['from', 'to', 'session', 'action', 'cursor', 'limit', 'team'] : ['from', 'to', 'session', 'action', 'cursor', 'limit'];
  const params: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) {
      const hint = name === 'team' ? ' (a team token sees its own team\'s audit rows only)' : ` (allowed: ${allowed.join(', ')})`;
      throw new HttpError(400, 'invalid_query', `unknown query parameter "${name}"${hint}`);
    }
    if (name in params) throw new HttpError(400, 'invalid_query', `query parameter "${name}" is given twice`);
    params[name] = value;
  }
  const from = params.from === undefined ? undefined : parseTimestamp('from', params.from);
  const to = params.to === undefined ? undefined : parseTimestamp('to', params.to);
  if (from && to && from.getTime() >= to.getTime()) throw new HttpError(400, 'invalid_query', `"from" (${from.toISOString()}) must be before "to" (${to.toISOString()})`);
  if (params.session !== undefined && !isUuid(params.session)) throw new HttpError(400, 'invalid_query', `"session" must be a session id (a UUID), got ${JSON.stringify(params.session.slice(0, 80))}`);
  if (params.action !== undefined && !AUDIT_ACTIONS.includes(params.action)) throw new HttpError(400, 'invalid_query', `"action" must be one of ${AUDIT_ACTIONS.join(', ')}, got ${JSON.stringify(params.action.slice(0, 40))}`);
  if (params.team !== undefined && !knownTeams.has(params.team)) throw new HttpError(400, 'unknown_team', `there is no team ${JSON.stringify(params.team.slice(0, 80))}`);
  let limit = AUDIT_DEFAULT_LIMIT;
  if (params.limit !== undefined) {
    if (!/^\d{1,4}$/.test(params.limit) || Number(params.limit) < 1 || Number(params.limit) > AUDIT_MAX_LIMIT) throw new HttpError(400, 'invalid_query', `"limit" must be an integer from 1 to ${AUDIT_MAX_LIMIT}, got ${JSON.stringify(params.limit.slice(0, 40))}`);
    limit = Number(params.limit);
  }
  return {
    from,
    to,
    sessionId: params.session?.toLowerCase(),
    action: params.action,
    team: principal.kind === 'team' ? principal.team : params.team,
    beforeId: params.cursor === undefined ? undefined : decodeCursor(params.cursor),
    limit,
  };
}

export function auditRecordToJson(record: AuditRecord): Record<string, unknown> {
  return {
    id: String(record.id),
    at: record.at.toISOString(),
    principal: record.principal === 'team' ? { kind: 'team', team: record.team } : { kind: 'admin' },
    action: record.action,
    subjectTeam: record.subjectTeam ?? null,
    session: record.sessionId ?? null,
    requestId: record.requestId,
    clientAddress: record.clientAddress ?? null,
    method: record.method,
    route: record.route,
    status: record.status,
    errorCode: record.errorCode ?? null,
  };
}

/** The route, in the shape runtime/api/server.ts registers. */
export function auditRoute(options: { readonly pool: Pool; readonly teams: ReadonlySet<string> }) {
  return {
    method: 'GET',
    pattern: /^\/v1\/audit$/,
    name: 'audit',
    handler: async ({ res, url, principal }: { readonly res: ServerResponse; readonly url: URL; principal(): Principal }): Promise<void> => {
      const query = auditQuery(url, principal(), options.teams);
      const rows = await queryAudit(options.pool, { ...query, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      sendJson(res, 200, { audit: page.map(auditRecordToJson), nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null });
    },
  };
}
