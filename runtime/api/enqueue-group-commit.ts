/**
 * The API's group commit of messages (ADR 0020): the messages a replica receives at the same
 * moment are stored by one statement (store/turns.ts enqueueTurns), one commit for all of
 * them, instead of one commit each through the pool — a burst of 1,000 messages costs a few
 * statements. The batching, ordering and failure rules are db/statement-batcher.ts's: a
 * session's messages keep their order; a message the database refuses fails alone; a
 * deadlock is tried again; an unavailable database fails each message as it did alone.
 */
import type { Queryable } from '../db/pool.ts';
import { bySession, StatementBatcher } from '../db/statement-batcher.ts';
import { enqueueTurns, type EnqueueRequest, type EnqueueResult } from '../store/turns.ts';

export interface EnqueueGroupCommitOptions {
  /** statements in flight at once (each on its own connection) */
  readonly maxInFlight?: number;
  /** messages in one statement */
  readonly maxBatch?: number;
  /** characters of message text in one statement (a message alone always goes): jsonb caps one value at 256 MiB */
  readonly maxChars?: number;
}

export class EnqueueGroupCommit {
  private readonly batcher: StatementBatcher<EnqueueRequest, EnqueueResult>;

  constructor(db: Queryable, options: EnqueueGroupCommitOptions = {}) {
    this.batcher = new StatementBatcher<EnqueueRequest, EnqueueResult>((batch) => enqueueTurns(db, batch), {
      key: bySession,
      maxInFlight: options.maxInFlight ?? 2,
      maxBatch: options.maxBatch ?? 500,
      weight: (request) => request.input.length,
      maxWeight: options.maxChars ?? 8 * 1024 * 1024,
    });
  }

  /** statements sent so far */
  get statements(): number {
    return this.batcher.statements;
  }

  /** Stores the message as a turn; resolves once it is committed, with what enqueueTurn says. */
  enqueue(request: EnqueueRequest): Promise<EnqueueResult> {
    return this.batcher.submit(request);
  }
}
