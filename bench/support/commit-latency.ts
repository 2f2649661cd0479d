/**
 * How long one durable commit takes on this machine right now: 200 autocommitted single-row
 * INSERTs, p50/p99. Printed with every run, since the runtime's figures are mostly commits and
 * process wake-ups, and a shared VM's disk and CPUs vary from hour to hour.
 */
import type pg from 'pg';
import { percentile } from './stats.ts';

export async function commitLatency(db: pg.Pool, samples = 200): Promise<{ p50: number; p99: number }> {
  const client = await db.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS bench_commit_probe (n int)');
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      await client.query('INSERT INTO bench_commit_probe VALUES ($1)', [i]);
      times.push(performance.now() - t);
    }
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  } finally {
    client.release();
  }
}
