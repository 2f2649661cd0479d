/** CPU time of processes from /proc (Linux), to say where a benchmark's time went. */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/**
 * user + system CPU seconds of one process (its threads included), 0 when it is gone; with
 * `reapedChildren`, plus the time of the children it has waited for (a postmaster's exited backends)
 */
export function cpuSeconds(pid: number, reapedChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    return (reapedChildren ? own + Number(fields[13]) + Number(fields[14]) : own) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of every process named `comm` (e.g. all Postgres backends), including what the
 * ones that exited used: their parent (the postmaster) counts it once it reaped them, so the
 * figure never goes down between two readings while that parent lives
 */
export function cpuSecondsByName(comm: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) total += cpuSeconds(Number(entry), true);
    } catch {
      /* gone meanwhile */
    }
  }
  return total;
}
