/**
 * The audit entry of one finished API request (ADR 0027), or undefined when the request is not
 * audited (a public route, no valid token, or a team's read of its own data).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth.ts';
import { auditActionFor } from './actions.ts';
import type { AuditEntry } from './store.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface FinishedRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly routeName: string;
  /** the route's template, `/v1/sessions/{id}` */
  readonly route: string;
  readonly principal: Principal | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly requestId: string;
  /** the TCP peer, read when the request arrived: by 'close' a destroyed socket is gone (null) */
  readonly clientAddress: string | undefined;
  /** the error code of an error answer */
  readonly errorCode: string | undefined;
}

function createdSessionId(res: ServerResponse): string | undefined {
  const location = res.getHeader('location');
  const id = typeof location === 'string' ? /^\/v1\/sessions\/([^/]+)$/.exec(location)?.[1] : undefined;
  return id !== undefined && UUID.test(id) ? id : undefined;
}

export function auditEntryFor(request: FinishedRequest): AuditEntry | undefined {
  const { principal } = request;
  if (!principal) return undefined;
  const action = auditActionFor(request.routeName, principal);
  if (!action) return undefined;
  const id = request.params.id;
  const sessionId = id !== undefined && UUID.test(id) ? id.toLowerCase() : createdSessionId(request.res);
  // an admin's team= filter names whose data it read; a session's team is looked up on insert
  const teamFilter = new URL(request.req.url ?? '/', 'http://runtime.invalid').searchParams.get('team')?.slice(0, 100) ?? undefined;
  return {
    principal: principal.kind,
    team: principal.kind === 'team' ? principal.team : undefined,
    action,
    sessionId,
    subjectTeam: principal.kind === 'team' ? principal.team : teamFilter,
    requestId: request.requestId,
    clientAddress: request.clientAddress,
    method: request.req.method ?? '',
    route: request.route,
    status: request.res.statusCode,
    errorCode: request.errorCode,
  };
}
