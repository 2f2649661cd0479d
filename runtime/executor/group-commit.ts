/**
 * A replica's group commit of turn events (ADR 0020). Each running turn's EventWriter batches
 * its own events; this batches the writers: the appends of many turns that are waiting at the
 * same moment go to Postgres in one statement (store/events.ts appendManyTurns), so a thousand
 * streaming turns cost a few commits — a few WAL flushes — per round trip instead of one
 * each. At most `maxInFlight` statements run at once; an append arriving while they all run
 * waits for the next one, which takes everything pending then (up to `maxEvents`). With
 * nothing else waiting, an append goes out at once (after the current tick), alone.
 *
 * Durability is unchanged: an append resolves only after the statement that holds it
 * committed; a statement that failed with the database unavailable rejects every append in
 * it (the writers retry, or ask the database what was written when the commit's outcome is
 * unknown); one the database refused is retried one append per statement.
 */
import type { Queryable } from '../db/pool.ts';
import { bySession, StatementBatcher } from '../db/statement-batcher.ts';
import type { SessionEvent, StoredEvent } from '../session-events.ts';
import { appendManyTurns, type TurnAppend } from '../store/events.ts';

export interface GroupCommitOptions {
  /** statements in flight at once (each on its own connection) */
  readonly maxInFlight?: number;
  /** events in one statement (an append larger than this goes alone) */
  readonly maxEvents?: number;
}

export class GroupCommit {
  private readonly batcher: StatementBatcher<TurnAppend, StoredEvent[]>;

  constructor(db: Queryable, options: GroupCommitOptions = {}) {
    // the batching rules are db/statement-batcher.ts's: a session once per statement and in
    // one statement at a time, a lost lease (LeaseLostError) failing its append alone
    this.batcher = new StatementBatcher<TurnAppend, StoredEvent[]>((batch) => appendManyTurns(db, batch), {
      key: bySession,
      maxInFlight: options.maxInFlight ?? 2,
      maxBatch: Number.POSITIVE_INFINITY,
      weight: (append) => append.events.length,
      maxWeight: options.maxEvents ?? 5_000,
    });
  }

  /** statements sent so far */
  get statements(): number {
    return this.batcher.statements;
  }

  /** Appends a turn's events, fenced by its lease; resolves once they are committed. */
  append(sessionId: string, turn: number, owner: string, events: readonly SessionEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    return this.batcher.submit({ sessionId, turn, owner, events });
  }
}
