/**
 * What the database's backends wait on while a benchmark runs: pg_stat_activity sampled every
 * 50 ms, counted by wait event (e.g. `Lock/object` for the global lock a committing NOTIFY
 * takes, `IO/WalSync` for the WAL flush, `Client/ClientRead` for an idle connection).
 */
import type pg from 'pg';
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitSampler {
  /** stops sampling; the top `n` wait events by share of sampled active backends */
  stop(n?: number): Promise<string>;
}

export function sampleWaitEvents(db: pg.Pool): WaitSampler {
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await db.query<{ wait: string; n: number }>(
        `SELECT coalesce(wait_event_type || '/' || wait_event, 'CPU') AS wait, count(*)::int AS n
         FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
         GROUP BY 1`,
      );
      for (const r of rows) counts.set(r.wait, (counts.get(r.wait) ?? 0) + r.n);
      samples++;
      await delay(50);
    }
  })();
  return {
    async stop(n = 4) {
      running = false;
      await loop;
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      if (total === 0) return 'no active backends sampled';
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
      return `${(total / samples).toFixed(1)} active backends on average; ${top.map(([w, c]) => `${w} ${((c / total) * 100).toFixed(0)} %`).join(', ')}`;
    },
  };
}
