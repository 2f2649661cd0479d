/**
 * Writes audit rows after the response, with its outcome (ADR 0027). A write that fails is
 * never silent: the whole entry goes to the log at error level (the log pipeline keeps it when
 * the database did not) and `paddock_audit_write_failures_total` counts it, which an alert
 * watches (charts-synth/charts/monitoring.ts).
 */
import { Counter, type Registry } from 'prom-client';
import type { Pool } from '../db/pool.ts';
import { errorMessage, type Logger } from '../log.ts';
import { expireAudit, insertAudit, type AuditEntry } from './store.ts';

export const AUDIT_WRITE_FAILURES_METRIC = 'paddock_audit_write_failures_total';

export class AuditTrail {
  private readonly pending = new Set<Promise<void>>();
  private readonly failures: Counter<'reason'>;
  private readonly written: Counter;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    registry: Registry,
    private readonly isUnavailable: (error: unknown) => boolean,
  ) {
    this.failures = new Counter({ name: AUDIT_WRITE_FAILURES_METRIC, help: 'Audit rows that could not be written (the entry was logged at error level instead), by reason (unavailable, other).', labelNames: ['reason'] as const, registers: [registry] });
    this.written = new Counter({ name: 'paddock_audit_records_total', help: 'Audit rows written by this replica.', registers: [registry] });
  }

  /** Records `entry` in the background; flush() waits for every write started so far. */
  record(entry: AuditEntry): void {
    const write = insertAudit(this.pool, entry).then(
      () => this.written.inc(),
      (error: unknown) => {
        const reason = this.isUnavailable(error) ? 'unavailable' : 'other';
        this.failures.inc({ reason });
        this.log.error('audit record not written to the database', { audit: entry, reason, error: errorMessage(error) });
      },
    );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Deletes the rows older than the retention; a failure is logged and retried at the next run. */
  async expire(retentionDays: number): Promise<number | undefined> {
    try {
      const removed = await expireAudit(this.pool, retentionDays);
      if (removed > 0) this.log.info('expired audit rows', { removed, retentionDays });
      return removed;
    } catch (error) {
      this.log.warn('expiring audit rows failed; the next run retries', { retentionDays, error: errorMessage(error) });
      return undefined;
    }
  }
}
