/**
 * The executor's group commit of dispatches (ADR 0020): the turns this replica sends to their
 * sandboxes at the same moment are marked dispatched (with their `turn_started`) by one
 * statement (store/turns.ts markDispatchedMany), one commit for all — after a crash, 1,000
 * retried turns cost a few commits instead of 1,000. Batching, ordering and failure rules
 * are db/statement-batcher.ts's; a turn whose lease was lost fails alone (LeaseLostError).
 */
import type { Queryable } from '../db/pool.ts';
import { bySession, StatementBatcher } from '../db/statement-batcher.ts';
import { markDispatchedMany, type DispatchRequest, type Dispatched } from '../store/turns.ts';

export class DispatchGroupCommit {
  private readonly batcher: StatementBatcher<DispatchRequest, Dispatched>;

  constructor(db: Queryable, options: { readonly maxInFlight?: number; readonly maxBatch?: number } = {}) {
    this.batcher = new StatementBatcher<DispatchRequest, Dispatched>((batch) => markDispatchedMany(db, batch), {
      key: bySession,
      maxInFlight: options.maxInFlight ?? 2,
      maxBatch: options.maxBatch ?? 500,
    });
  }

  /** statements sent so far */
  get statements(): number {
    return this.batcher.statements;
  }

  /** markDispatched, group-committed: resolves once committed; rejects with LeaseLostError when the lease is gone. */
  dispatch(request: DispatchRequest): Promise<Dispatched> {
    return this.batcher.submit(request);
  }
}
