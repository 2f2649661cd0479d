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
 * committed; a failed statement fails every message in it (each request answers its error,
 * as it did alone), except a deadlock, which rolled everything back and is tried again.
 */
import type { Queryable } from '../db/pool.ts';
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
}

/** Postgres' deadlock_detected: the statement was rolled back whole, so it can run again. */
const DEADLOCK_DETECTED = '40P01';
const DEADLOCK_RETRIES = 3;

export class EnqueueGroupCommit {
  private pending: Pending[] = [];
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private scheduled = false;
  private statementCount = 0;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;

  constructor(
    private readonly db: Queryable,
    options: EnqueueGroupCommitOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxBatch = options.maxBatch ?? 500;
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
        for (const entry of batch) this.busy.delete(entry.request.sessionId);
        this.pump();
      });
    }
  }

  /** The pending messages for one statement: in arrival order, a session once, up to maxBatch. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const entry of this.pending) {
      if (batch.length < this.maxBatch && !this.busy.has(entry.request.sessionId)) {
        batch.push(entry);
        this.busy.add(entry.request.sessionId);
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
        for (const entry of batch) entry.reject(error);
        return;
      }
    }
  }
}
