/**
 * What happened in one session, computed in one SQL statement from its turns and its event
 * log (GET /v1/sessions/:id/summary): turns by state, how long they ran, the tools called,
 * the errors reported, the tokens and cost reported, and the sandboxes it went through.
 * The session's own team filter is part of the statement: another team's session is "none".
 */
import type { Queryable } from '../db/pool.ts';

export interface SessionSummary {
  readonly session: { readonly id: string; readonly team: string; readonly harness: string; readonly state: string; readonly createdAt: string; readonly endedAt: string | null };
  readonly turns: { readonly total: number; readonly byState: Readonly<Record<string, number>> };
  /** over turns that ran to a finish (started and finished); seconds, null when none did */
  readonly durations: { readonly turns: number; readonly totalSeconds: number | null; readonly p50Seconds: number | null; readonly maxSeconds: number | null; readonly sessionSeconds: number };
  readonly toolCalls: { readonly total: number; readonly byTool: Readonly<Record<string, number>> };
  /** `error` events by code (harness and runtime), and failed or interrupted turns by their error code */
  readonly errors: { readonly events: Readonly<Record<string, number>>; readonly failedTurns: Readonly<Record<string, number>> };
  /** null when no turn reported usage; costUsd null when no turn knew its cost */
  readonly tokens: { readonly turnsReporting: number; readonly input: number; readonly output: number; readonly costUsd: number | null } | null;
  readonly sandboxes: { readonly used: number; readonly acquired: number; readonly lost: number };
}

interface Row {
  session: { id: string; team: string; harness: string; state: string; created_at: string; ended_at: string | null; sandbox_generation: number; session_seconds: number } | null;
  by_state: Record<string, number>;
  durations: { turns: number; total: number | null; p50: number | null; max: number | null };
  tools: Record<string, number>;
  error_events: Record<string, number>;
  failed_turns: Record<string, number>;
  tokens: { reporting: number; input: number | null; output: number | null; cost: number | null };
  sandbox_events: { acquired: number; lost: number };
}

const SUMMARY = `
WITH s AS (
  SELECT id, team, harness, state, created_at, ended_at, sandbox_generation,
         extract(epoch FROM coalesce(ended_at, now()) - created_at)::float8 AS session_seconds
    FROM sessions WHERE id = $1 AND ($2::text IS NULL OR team = $2)
), t AS (
  SELECT state, error_code, input_tokens, output_tokens, cost_usd,
         extract(epoch FROM finished_at - started_at)::float8 AS seconds
    FROM turns WHERE session_id = $1 AND EXISTS (SELECT 1 FROM s)
), e AS (
  SELECT type, data FROM events
   WHERE session_id = $1 AND type IN ('tool_call', 'error', 'sandbox') AND EXISTS (SELECT 1 FROM s)
)
SELECT
  (SELECT to_jsonb(s) FROM s) AS session,
  (SELECT coalesce(jsonb_object_agg(state, n), '{}') FROM (SELECT state, count(*) AS n FROM t GROUP BY state) x) AS by_state,
  (SELECT jsonb_build_object('turns', count(seconds), 'total', sum(seconds), 'max', max(seconds),
                             'p50', percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds))
     FROM t WHERE seconds IS NOT NULL) AS durations,
  (SELECT coalesce(jsonb_object_agg(name, n), '{}') FROM (SELECT data->>'name' AS name, count(*) AS n FROM e WHERE type = 'tool_call' GROUP BY 1) x) AS tools,
  (SELECT coalesce(jsonb_object_agg(code, n), '{}') FROM (SELECT coalesce(data->>'code', 'unknown') AS code, count(*) AS n FROM e WHERE type = 'error' GROUP BY 1) x) AS error_events,
  (SELECT coalesce(jsonb_object_agg(code, n), '{}') FROM (SELECT coalesce(error_code, 'unknown') AS code, count(*) AS n FROM t WHERE state IN ('failed', 'interrupted') GROUP BY 1) x) AS failed_turns,
  (SELECT jsonb_build_object('reporting', count(input_tokens), 'input', sum(input_tokens), 'output', sum(output_tokens), 'cost', sum(cost_usd)) FROM t) AS tokens,
  (SELECT jsonb_build_object('acquired', count(*) FILTER (WHERE data->>'action' = 'acquired'), 'lost', count(*) FILTER (WHERE data->>'action' = 'lost')) FROM e WHERE type = 'sandbox') AS sandbox_events`;

const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The summary of `sessionId`, or undefined when there is none (for `team`, none of that team's). */
export async function sessionSummary(db: Queryable, sessionId: string, team: string | undefined): Promise<SessionSummary | undefined> {
  const { rows } = await db.query<Row>(SUMMARY, [sessionId, team ?? null]);
  const row = rows[0];
  if (!row?.session) return undefined;
  const s = row.session;
  return {
    session: { id: s.id, team: s.team, harness: s.harness, state: s.state, createdAt: new Date(s.created_at).toISOString(), endedAt: s.ended_at === null ? null : new Date(s.ended_at).toISOString() },
    turns: { total: sum(row.by_state), byState: row.by_state },
    durations: { turns: row.durations.turns, totalSeconds: row.durations.total, p50Seconds: row.durations.p50, maxSeconds: row.durations.max, sessionSeconds: s.session_seconds },
    toolCalls: { total: sum(row.tools), byTool: row.tools },
    errors: { events: row.error_events, failedTurns: row.failed_turns },
    tokens: row.tokens.reporting === 0 ? null : { turnsReporting: row.tokens.reporting, input: Number(row.tokens.input ?? 0), output: Number(row.tokens.output ?? 0), costUsd: row.tokens.cost === null ? null : Number(row.tokens.cost) },
    sandboxes: { used: s.sandbox_generation, acquired: row.sandbox_events.acquired, lost: row.sandbox_events.lost },
  };
}
