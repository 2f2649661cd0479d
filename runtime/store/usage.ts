/**
 * Usage per team, session or harness: the sums of what finished turns reported (tokens in and
 * out, cost when known; runtime/migrations/0003_turn_usage.sql) over a range of finish times.
 * Only turns that reported usage count; a cost is summed over the turns that knew theirs, and
 * `turnsWithoutCost` says how many did not, so a partial total is never mistaken for the whole.
 */
import type { Queryable } from '../db/pool.ts';

export const USAGE_GROUPS = ['team', 'session', 'harness'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageQuery {
  /** inclusive */
  readonly from: Date;
  /** exclusive */
  readonly to: Date;
  readonly groupBy: UsageGroup;
  /** only this team's turns (a team principal); all teams when undefined (admin) */
  readonly team?: string | undefined;
}

export interface UsageRow {
  /** the team name, session id or harness name */
  readonly key: string;
  /** the group's team (for session and harness groups, which a team principal sees within its own) */
  readonly team: string;
  readonly turns: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** USD over the turns that reported a cost; null when none did */
  readonly costUsd: number | null;
  readonly turnsWithoutCost: number;
}

const GROUP_COLUMN: Record<UsageGroup, string> = { team: 's.team', session: 's.id::text', harness: 's.harness' };

interface Row {
  key: string;
  team: string;
  turns: string;
  input_tokens: string;
  output_tokens: string;
  cost_usd: string | null;
  without_cost: string;
}

export async function queryUsage(db: Queryable, query: UsageQuery): Promise<UsageRow[]> {
  const key = GROUP_COLUMN[query.groupBy];
  // harness and session groups keep their team: one harness used by two teams is two rows
  const { rows } = await db.query<Row>(
    `SELECT ${key} AS key, s.team AS team, count(*) AS turns,
            sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
            sum(t.cost_usd) AS cost_usd, count(*) FILTER (WHERE t.cost_usd IS NULL) AS without_cost
       FROM turns t JOIN sessions s ON s.id = t.session_id
      WHERE t.input_tokens IS NOT NULL AND t.finished_at >= $1 AND t.finished_at < $2
        AND ($3::text IS NULL OR s.team = $3)
      GROUP BY ${key}, s.team
      ORDER BY s.team, ${key}`,
    [query.from, query.to, query.team ?? null],
  );
  return rows.map((r) => ({
    key: r.key,
    team: r.team,
    turns: Number(r.turns),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
    turnsWithoutCost: Number(r.without_cost),
  }));
}
