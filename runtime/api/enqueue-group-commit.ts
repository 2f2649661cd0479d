/**
 * The API's group commit of messages (ADR 0020): the messages a replica receives at the same
 * moment are stored by one statement (store/turns.ts enqueueTurns), one commit for all of
 * them, instead of one commit each through the pool. A burst of 1,000 messages then costs a
 * few statements; with nothing else waiting, a message goes out at once (after the current
 * tick), alone. At most `maxInFlight` statements run at once; a session is in at most one of
 * them (a second message of a session waits for the statement holding the first, so the two
 * keep their order).
 *
 * Durability is unchanged: a message is answered only after the statement that holds it
 * committed. A failed statement wrote nothing (it is one transaction): a deadlock is tried
 * again; any other refusal of a statement of several messages is tried again one message
 * per statement, so a message the database refuses fails alone, not its neighbours; an
 * unavailable database fails them all (each request answers 503, as it did alone).
 */
import { isDatabaseUnavailable, type Queryable } from '../db/pool.ts';
import { enqueueTurns, type EnqueueRequest, type EnqueueResult } from '../store/turns.ts';

interface Pending {
  readonly request: EnqueueRequest;
  resolve(result: EnqueueResult): void;
  reject(error: unknown): void;
}

export interface EnqueueGroupCommitOptions {
  /** statements in flight at once (each on its own connection) */
  readonly maxInFlight?: number;
  /** messages in one statement */
  readonly maxBatch?: number;
  /** characters of message text in one statement (a message alone always goes): jsonb caps one value at 256 MiB */
  readonly maxChars?: number;
}

/** ids are compared as Postgres compares uuids: case does not matter */
const sessionKey = (entry: Pending) => entry.request.sessionId.toLowerCase();

/** Postgres' deadlock_detected: the statement was rolled back whole, so it can run again. */
const DEADLOCK_DETECTED = '40P01';
const DEADLOCK_RETRIES = 3;
/** statements in flight at once when a refused statement's messages are tried one by one */
const FALLBACK_CONCURRENCY = 4;

export class EnqueueGroupCommit {
  private pending: Pending[] = [];
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private scheduled = false;
  private statementCount = 0;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly maxChars: number;

  constructor(
    private readonly db: Queryable,
    options: EnqueueGroupCommitOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxChars = options.maxChars ?? 8 * 1024 * 1024;
  }

  /** statements sent so far */
  get statements(): number {
    return this.statementCount;
  }

  /** Stores the message as a turn; resolves once it is committed, with what enqueueTurn says. */
  enqueue(request: EnqueueRequest): Promise<EnqueueResult> {
    return new Promise<EnqueueResult>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // the messages of this tick go out together
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        for (const entry of batch) this.busy.delete(sessionKey(entry));
        this.pump();
      });
    }
  }

  /** The pending messages for one statement: in arrival order, a session once, up to maxBatch and maxChars. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    let chars = 0;
    for (const entry of this.pending) {
      const fits = batch.length === 0 || (batch.length < this.maxBatch && chars + entry.request.input.length <= this.maxChars);
      if (fits && !this.busy.has(sessionKey(entry))) {
        batch.push(entry);
        this.busy.add(sessionKey(entry));
        chars += entry.request.input.length;
      } else {
        rest.push(entry);
      }
    }
    this.pending = rest;
    return batch;
  }

  private async send(batch: readonly Pending[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      this.statementCount++;
      try {
        const results = await enqueueTurns(
          this.db,
          batch.map((entry) => entry.request),
        );
        batch.forEach((entry, i) => entry.resolve(results[i]!));
        return;
      } catch (error) {
        if ((error as { code?: unknown }).code === DEADLOCK_DETECTED && attempt < DEADLOCK_RETRIES) continue;
        if (batch.length > 1 && !isDatabaseUnavailable(error)) {
          // nothing was written: one statement per message (a few at a time, so one that
          // waits on a lock does not hold up the rest), so only the refused one fails
          let next = 0;
          const alone = async () => {
            while (next < batch.length) await this.send([batch[next++]!]);
          };
          await Promise.all(Array.from({ length: Math.min(FALLBACK_CONCURRENCY, batch.length) }, alone));
          return;
        }
        for (const entry of batch) entry.reject(error);
        return;
      }
    }
  }
}
