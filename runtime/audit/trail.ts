/**
 * Writes audit rows after the response, with its outcome (ADR 0027), many per statement. While the database is
 * unavailable, entries are held in memory (bounded) and written when it is back, so an outage
 * loses no record (their `at` is the time of writing; `request_id` ties them to the logs).
 * A write that fails for good (another error, the hold full, or entries still held at
 * shutdown) is never silent: the whole entry goes to the log at error level (the log pipeline
 * keeps it when the database did not) and `paddock_audit_write_failures_total` counts it,
 * which an alert watches (charts-synth/charts/monitoring.ts).
 */
import { randomUUID } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import type { Pool } from '../db/pool.ts';
import { errorMessage, type Logger } from '../log.ts';
import { expireAudit, insertAuditMany, type AuditEntry, type RecordedAuditEntry } from './store.ts';

export const AUDIT_WRITE_FAILURES_METRIC = 'paddock_audit_write_failures_total';

export interface AuditTrailOptions {
  /** entries held while the database is unavailable; beyond it the oldest is given up */
  readonly maxHeld?: number;
  /** how long to wait before writing held entries again */
  readonly retryMs?: number;
  /**
   * Nothing is written until open(): a replica answers (503 not_ready) before its migrations
   * have run, and those answers are audited too; written then, they failed on a table without
   * the columns they need and were given up. Held in the queue (bounded by maxHeld) instead.
   */
  readonly heldUntilOpen?: boolean;
}

/** the most entries one statement writes */
const MAX_BATCH = 500;

export class AuditTrail {
  private readonly failures: Counter<'reason'>;
  private readonly written: Counter;
  /** entries waiting for the statement in flight to finish, oldest first */
  private readonly queue: RecordedAuditEntry[] = [];
  /** the writer draining the queue, one statement in flight */
  private writing: Promise<void> | undefined;
  /** entries whose write found the database unavailable, oldest first */
  private readonly held: RecordedAuditEntry[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  /** an outage is being ridden out (said once when it starts, once when it ends) */
  private holding = false;
  private readonly maxHeld: number;
  private readonly retryMs: number;
  /** false until open() when heldUntilOpen: entries wait in the queue */
  private opened: boolean;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    registry: Registry,
    private readonly isUnavailable: (error: unknown) => boolean,
    options: AuditTrailOptions = {},
  ) {
    this.maxHeld = options.maxHeld ?? 10_000;
    this.retryMs = options.retryMs ?? 2_000;
    this.opened = !options.heldUntilOpen;
    this.failures = new Counter({ name: AUDIT_WRITE_FAILURES_METRIC, help: 'Audit rows that could not be written (the entry was logged at error level instead), by reason (unavailable, other).', labelNames: ['reason'] as const, registers: [registry] });
    this.written = new Counter({ name: 'paddock_audit_records_total', help: 'Audit rows written by this replica.', registers: [registry] });
  }

  /**
   * Records `entry` in the background; flush() waits until it is written. Entries recorded
   * while a statement is in flight are written together by the next one (a group commit):
   * a burst of requests costs the database a few commits, not one per request. The entry gets
   * its id here: however often its statement is sent again, it is one row.
   */
  record(entry: AuditEntry): void {
    this.queue.push({ ...entry, entryId: randomUUID() });
    if (!this.opened && this.queue.length > this.maxHeld) this.giveUp(this.queue.shift()!, 'unavailable', new Error(`more than ${this.maxHeld} audit records held before the database was migrated`));
    this.startWriting();
  }

  /** The schema is migrated: entries recorded until now are written, oldest first, and so is every later one. */
  open(): void {
    this.opened = true;
    this.startWriting();
  }

  /** open() was called (always, unless heldUntilOpen) */
  get isOpen(): boolean {
    return this.opened;
  }

  /** entries waiting for the database to come back */
  get heldCount(): number {
    return this.held.length;
  }

  /** Waits for every entry recorded so far; `final`: one last try for held entries, then each left is given up (logged). */
  async flush(final = true): Promise<void> {
    while (this.writing) await this.writing;
    if (!final) return;
    // never opened (stopped before its migrations ran): nothing can be written, each is given up (logged)
    if (!this.opened) for (const entry of this.queue.splice(0)) this.giveUp(entry, 'unavailable', new Error('the runtime stopped before the database was migrated'));
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    while (this.held.length > 0) await this.write(this.held.splice(0, MAX_BATCH), true);
  }

  /**
   * Starts the writer unless it runs. Only with something queued: drain() on an empty queue
   * would finish before its promise is stored, leaving a settled `writing` that no later
   * record() replaces (the trail would stop writing).
   */
  private startWriting(): void {
    if (this.opened && this.writing === undefined && this.queue.length > 0) this.writing = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.write(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.writing = undefined;
    }
  }

  private async write(entries: RecordedAuditEntry[], last = false): Promise<void> {
    try {
      // every entry is in the table now: added by this statement, or by an earlier one of
      // these entries that committed but whose answer was lost (counted here, not there)
      await insertAuditMany(this.pool, entries);
      this.written.inc(entries.length);
      if (this.holding && this.held.length === 0) {
        this.holding = false;
        this.log.info('database back: held audit records written');
      }
    } catch (error) {
      const unavailable = this.isUnavailable(error);
      if (!last && unavailable) {
        for (const entry of entries) this.hold(entry, error);
        return;
      }
      // an entry the database refuses must not take the others of its statement with it
      if (!unavailable && entries.length > 1) {
        for (const entry of entries) await this.write([entry], last);
        return;
      }
      for (const entry of entries) this.giveUp(entry, unavailable ? 'unavailable' : 'other', error);
    }
  }

  private hold(entry: RecordedAuditEntry, error: unknown): void {
    if (!this.holding) this.log.warn('database unavailable: audit records held until it is back', { error: errorMessage(error) });
    this.holding = true;
    this.held.push(entry);
    if (this.held.length > this.maxHeld) this.giveUp(this.held.shift()!, 'unavailable', new Error(`more than ${this.maxHeld} audit records held while the database is unavailable`));
    this.retryTimer ??= setTimeout(() => this.retryHeld(), this.retryMs);
    this.retryTimer.unref();
  }

  private retryHeld(): void {
    this.retryTimer = undefined;
    // older than anything queued: written first
    this.queue.unshift(...this.held.splice(0));
    this.startWriting();
  }

  private giveUp(entry: RecordedAuditEntry, reason: 'unavailable' | 'other', error: unknown): void {
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
