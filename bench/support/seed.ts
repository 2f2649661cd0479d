/** Bulk sessions for the benchmarks, written with set-based SQL (generate_series), not the API. */
import type pg from 'pg';

/**
 * `count` idle sessions, each with one completed turn, its two events and a sandbox binding
 * (to an address nothing listens on: an idle session's sandbox is only checked when it gets
 * a turn). One statement per 10,000 sessions.
 */
export async function seedIdleSessions(db: pg.Pool, count: number): Promise<void> {
  for (let left = count; left > 0; left -= 10_000) {
    await db.query(
      `WITH s AS (
         INSERT INTO sessions (id, team, harness, title, last_turn, last_seq, sandbox_generation)
         SELECT gen_random_uuid(), 'bench', 'scripted', 'seeded', 1, 2, 1 FROM generate_series(1, $1)
         RETURNING id
       ), t AS (
         INSERT INTO turns (session_id, turn, input, state, dispatched, attempts, output, stop_reason, finished_at)
         SELECT id, 1, 'hi', 'completed', true, 1, 'hello', 'end_turn', now() FROM s
       ), e AS (
         INSERT INTO events (session_id, seq, turn, type, data)
         SELECT id, g, 1, CASE g WHEN 1 THEN 'user_message' ELSE 'done' END,
                CASE g WHEN 1 THEN '{"type":"user_message","text":"hi"}'::jsonb ELSE '{"type":"done","stopReason":"end_turn"}'::jsonb END
         FROM s, generate_series(1, 2) AS g
       )
       INSERT INTO sandbox_bindings (session_id, driver, sandbox_id, sandbox_name, namespace, endpoint, token, generation)
       SELECT id, 'local', 'seeded-' || id, '0', 'team-bench', 'http://127.0.0.1:9', 'seeded-token-seeded-token-seeded-token', 1 FROM s`,
      [Math.min(left, 10_000)],
    );
  }
}

export async function sessionCount(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions');
  return rows[0]!.n;
}
