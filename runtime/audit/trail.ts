/**
 * Writes audit rows after the response, with its outcome (ADR 0027). While the database is
 * unavailable, entries are held in memory (bounded) and written when it is back, so an outage
 * loses no record (their `at` is the time of writing; `request_id` ties them to the logs).
 * A write that fails for good (another error, the hold full, or entries still held at
 * shutdown) is never silent: the whole entry goes to the log at error level (the log pipeline
 * keeps it when the database did not) and `paddock_audit_write_failures_total` counts it,
 * which an alert watches (charts-synth/charts/monitoring.ts).
 */
import { Counter, type Registry } from 'prom-client';
import type { Pool } from '../db/pool.ts';
import { errorMessage, type Logger } from '../log.ts';
import { expireAudit, insertAudit, type AuditEntry } from './store.ts';

export const AUDIT_WRITE_FAILURES_METRIC = 'paddock_audit_write_failures_total';

export interface AuditTrailOptions {
  /** entries held while the database is unavailable; beyond it the oldest is given up */
  readonly maxHeld?: number;
  /** how long to wait before writing held entries again */
  readonly retryMs?: number;
}

export class AuditTrail {
  private readonly pending = new Set<Promise<void>>();
  private readonly failures: Counter<'reason'>;
  private readonly written: Counter;
  /** entries whose write found the database unavailable, oldest first */
  private readonly held: AuditEntry[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  /** an outage is being ridden out (said once when it starts, once when it ends) */
  private holding = false;
  private readonly maxHeld: number;
  private readonly retryMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    registry: Registry,
    private readonly isUnavailable: (error: unknown) => boolean,
    options: AuditTrailOptions = {},
  ) {
    this.maxHeld = options.maxHeld ?? 10_000;
    this.retryMs = options.retryMs ?? 2_000;
    this.failures = new Counter({ name: AUDIT_WRITE_FAILURES_METRIC, help: 'Audit rows that could not be written (the entry was logged at error level instead), by reason (unavailable, other).', labelNames: ['reason'] as const, registers: [registry] });
    this.written = new Counter({ name: 'paddock_audit_records_total', help: 'Audit rows written by this replica.', registers: [registry] });
  }

  /** Records `entry` in the background; flush() waits for every write started so far. */
  record(entry: AuditEntry): void {
    this.track(this.write(entry));
  }

  /** entries waiting for the database to come back */
  get heldCount(): number {
    return this.held.length;
  }

  /** Waits for every write started so far; `final`: one last try for held entries, then each left is given up (logged). */
  async flush(final = true): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (!final) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.held.length > 0) {
      const again = this.held.splice(0);
      await Promise.all(again.map((entry) => this.write(entry, true)));
    }
  }

  private track(write: Promise<void>): void {
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  private async write(entry: AuditEntry, last = false): Promise<void> {
    try {
      await insertAudit(this.pool, entry);
      this.written.inc();
      if (this.holding && this.held.length === 0) {
        this.holding = false;
        this.log.info('database back: held audit records written');
      }
    } catch (error) {
      if (!last && this.isUnavailable(error)) return this.hold(entry, error);
      this.giveUp(entry, this.isUnavailable(error) ? 'unavailable' : 'other', error);
    }
  }

  private hold(entry: AuditEntry, error: unknown): void {
    if (!this.holding) this.log.warn('database unavailable: audit records held until it is back', { error: errorMessage(error) });
    this.holding = true;
    this.held.push(entry);
    if (this.held.length > this.maxHeld) this.giveUp(this.held.shift()!, 'unavailable', new Error(`more than ${this.maxHeld} audit records held while the database is unavailable`));
    this.retryTimer ??= setTimeout(() => this.retryHeld(), this.retryMs);
    this.retryTimer.unref();
  }

  private retryHeld(): void {
    this.retryTimer = undefined;
    const again = this.held.splice(0);
    for (const entry of again) this.track(this.write(entry));
  }

  private giveUp(entry: AuditEntry, reason: 'unavailable' | 'other', error: unknown): void {
    this.failures.inc({ reason });
    this.log.error('audit record not written to the database', { audit: entry, reason, error: errorMessage(error) });
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
