/**
 * `GET /v1/sessions/:id/summary`: one session's turns, durations, tool calls by tool, errors by
 * code, tokens and sandboxes (runtime/audit/session-summary.ts). A session of another team
 * answers 404 like a missing one, as every session route does.
 */
import type { ServerResponse } from 'node:http';
import { HttpError, sendJson } from '../../harnesses/protocol/http.ts';
import { sessionSummary } from '../audit/session-summary.ts';
import type { Principal } from '../auth.ts';
import type { Pool } from '../db/pool.ts';
import { isUuid } from './schemas.ts';

export function summaryRoute(options: { readonly pool: Pool }) {
  return {
    method: 'GET',
    pattern: /^\/v1\/sessions\/(?<id>[^/]+)\/summary$/,
    name: 'sessions.summary',
    handler: async ({ res, url, params, principal }: { readonly res: ServerResponse; readonly url: URL; readonly params: Record<string, string>; principal(): Principal }): Promise<void> => {
      const id = params.id ?? '';
      if (!isUuid(id)) throw new HttpError(400, 'invalid_id', `session id ${JSON.stringify(id.slice(0, 80))} is not a UUID`);
      const unknown = [...url.searchParams.keys()][0];
      if (unknown !== undefined) throw new HttpError(400, 'invalid_query', `unknown query parameter "${unknown}" (the summary takes none)`);
      const who = principal();
      const summary = await sessionSummary(options.pool, id.toLowerCase(), who.kind === 'team' ? who.team : undefined);
      if (!summary) throw new HttpError(404, 'session_not_found', `no session ${id.toLowerCase()}`);
      sendJson(res, 200, { summary });
    },
  };
}
