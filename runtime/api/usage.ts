/**
 * `GET /v1/usage?from=&to=&groupBy=team|session|harness[&team=]`: what finished turns consumed
 * (tokens in and out, cost when known), summed per team, session or harness over a range of
 * finish times. A team token sees its own team only (a `team` parameter from it is refused);
 * the admin token sees every team, or one with `team=`.
 *
 * `from` and `to` are ISO 8601 timestamps (`2026-12-01`, `2026-12-01T09:00:00Z`,
 * `…+02:00`); `from` is inclusive, `to` exclusive. Defaults: the last 30 days up to now.
 */
import type { ServerResponse } from 'node:http';
import { HttpError, sendJson } from '../../harnesses/protocol/http.ts';
import type { Principal } from '../auth.ts';
import type { Pool } from '../db/pool.ts';
import { queryUsage, USAGE_GROUPS, type UsageGroup, type UsageRow } from '../store/usage.ts';

export const DEFAULT_USAGE_DAYS = 30;
/** the longest range one request may ask for: a year and a day (leap years, time zones) */
export const MAX_USAGE_DAYS = 367;
const DAY_MS = 86_400_000;

/** A date, or a date and time with a zone (Z or ±hh:mm): no local times, which depend on the server. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

export function parseTimestamp(name: string, value: string): Date {
  const date = ISO_TIMESTAMP.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new HttpError(400, 'invalid_query', `"${name}" must be an ISO 8601 date or timestamp with a zone (e.g. 2026-12-01 or 2026-12-01T09:00:00Z), got ${JSON.stringify(value.slice(0, 60))}`);
  }
  return date;
}

export interface UsageRequest {
  readonly from: Date;
  readonly to: Date;
  readonly groupBy: UsageGroup;
  readonly team: string | undefined;
}

/** The request's parameters, validated; every problem names the parameter. */
export function usageRequest(url: URL, principal: Principal, knownTeams: ReadonlySet<string>, now = new Date()): UsageRequest {
  const allowed = principal.kind === 'admin' ? ['from', 'to', 'groupBy', 'team'] : ['from', 'to', 'groupBy'];
  const params: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) {
      const hint = name === 'team' ? ' (a team token sees its own team\'s usage only)' : ` (allowed: ${allowed.join(', ')})`;
      throw new HttpError(400, 'invalid_query', `unknown query parameter "${name}"${hint}`);
    }
    if (name in params) throw new HttpError(400, 'invalid_query', `query parameter "${name}" is given twice`);
    params[name] = value;
  }
  const to = params.to === undefined ? now : parseTimestamp('to', params.to);
  const from = params.from === undefined ? new Date(to.getTime() - DEFAULT_USAGE_DAYS * DAY_MS) : parseTimestamp('from', params.from);
  if (from.getTime() >= to.getTime()) throw new HttpError(400, 'invalid_query', `"from" (${from.toISOString()}) must be before "to" (${to.toISOString()})`);
  if (to.getTime() - from.getTime() > MAX_USAGE_DAYS * DAY_MS) throw new HttpError(400, 'invalid_query', `the range from "from" to "to" is at most ${MAX_USAGE_DAYS} days; ask for it in parts`);
  const groupBy = params.groupBy ?? 'team';
  if (!USAGE_GROUPS.includes(groupBy as UsageGroup)) throw new HttpError(400, 'invalid_query', `"groupBy" must be one of ${USAGE_GROUPS.join(', ')}, got ${JSON.stringify(groupBy.slice(0, 40))}`);
  if (params.team !== undefined && !knownTeams.has(params.team)) throw new HttpError(400, 'unknown_team', `there is no team ${JSON.stringify(params.team.slice(0, 80))}`);
  return { from, to, groupBy: groupBy as UsageGroup, team: principal.kind === 'team' ? principal.team : params.team };
}

const roundUsd = (usd: number) => Math.round(usd * 1e9) / 1e9;

export function usageToJson(request: UsageRequest, rows: readonly UsageRow[]): unknown {
  const keyName = request.groupBy;
  const total = rows.reduce(
    (sum, r) => ({ turns: sum.turns + r.turns, inputTokens: sum.inputTokens + r.inputTokens, outputTokens: sum.outputTokens + r.outputTokens, costUsd: r.costUsd === null ? sum.costUsd : (sum.costUsd ?? 0) + r.costUsd, turnsWithoutCost: sum.turnsWithoutCost + r.turnsWithoutCost }),
    { turns: 0, inputTokens: 0, outputTokens: 0, costUsd: null as number | null, turnsWithoutCost: 0 },
  );
  return {
    from: request.from.toISOString(),
    to: request.to.toISOString(),
    groupBy: request.groupBy,
    ...(request.team !== undefined ? { team: request.team } : {}),
    usage: rows.map((r) => ({
      ...(keyName === 'team' ? { team: r.key } : { [keyName]: r.key, team: r.team }),
      turns: r.turns,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      costUsd: r.costUsd === null ? null : roundUsd(r.costUsd),
      turnsWithoutCost: r.turnsWithoutCost,
    })),
    total: { ...total, costUsd: total.costUsd === null ? null : roundUsd(total.costUsd) },
  };
}

/** The route, in the shape runtime/api/server.ts registers (its request context has more). */
export function usageRoute(options: { readonly pool: Pool; readonly teams: ReadonlySet<string> }) {
  return {
    method: 'GET',
    pattern: /^\/v1\/usage$/,
    name: 'usage',
    handler: async ({ res, url, principal }: { readonly res: ServerResponse; readonly url: URL; principal(): Principal }): Promise<void> => {
      const request = usageRequest(url, principal(), options.teams);
      const rows = await queryUsage(options.pool, request);
      sendJson(res, 200, usageToJson(request, rows));
    },
  };
}
