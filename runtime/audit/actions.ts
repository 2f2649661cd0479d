/**
 * Which API requests the audit trail records, and under what action name (ADR 0027): every
 * change (a session's create, message, abort and end) whoever asks, and every read by the
 * admin token, which reads other teams' data (a team reading its own data is not recorded:
 * it would double the writes of a client polling its events and tell no one anything new).
 *
 * Every authenticated route must be listed: the API server refuses to start with one that is
 * not (assertEveryRouteAudited), so a new route cannot silently escape the trail.
 */
import type { Principal } from '../auth.ts';

export interface AuditedRoute {
  readonly action: string;
  /** a change is recorded for every principal; a read only for the admin */
  readonly kind: 'change' | 'read';
}

/** keyed by the route's name in runtime/api/server.ts */
export const AUDITED_ROUTES: Readonly<Record<string, AuditedRoute>> = {
  'sessions.create': { action: 'session.create', kind: 'change' },
  'sessions.message': { action: 'session.message', kind: 'change' },
  'sessions.abort': { action: 'session.abort', kind: 'change' },
  'sessions.delete': { action: 'session.end', kind: 'change' },
  'sessions.list': { action: 'sessions.list', kind: 'read' },
  'sessions.get': { action: 'session.get', kind: 'read' },
  'sessions.events': { action: 'session.events', kind: 'read' },
  'sessions.summary': { action: 'session.summary', kind: 'read' },
  usage: { action: 'usage.read', kind: 'read' },
  audit: { action: 'audit.read', kind: 'read' },
  'harnesses.list': { action: 'harnesses.list', kind: 'read' },
};

export const AUDIT_ACTIONS: readonly string[] = Object.values(AUDITED_ROUTES).map((r) => r.action);

/** The action to record for this request, or undefined when it is not recorded. */
export function auditActionFor(routeName: string, principal: Principal): string | undefined {
  const route = AUDITED_ROUTES[routeName];
  if (!route) return undefined;
  return route.kind === 'change' || principal.kind === 'admin' ? route.action : undefined;
}

/** Throws naming every authenticated route that has no audit entry. */
export function assertEveryRouteAudited(routes: readonly { readonly name: string; readonly public?: boolean }[]): void {
  const missing = routes.filter((r) => !r.public && !(r.name in AUDITED_ROUTES)).map((r) => r.name);
  if (missing.length > 0) throw new Error(`API routes without an audit entry (runtime/audit/actions.ts): ${missing.join(', ')}`);
}
