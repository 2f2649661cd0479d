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
 * committed; a failed statement rejects every append in it (the writers retry, or ask the
 * database what was written when the commit's outcome is unknown).
 */
import type { Queryable } from '../db/pool.ts';
import type { SessionEvent, StoredEvent } from '../session-events.ts';
import { appendManyTurns, LeaseLostError, type TurnAppend } from '../store/events.ts';

interface Pending extends TurnAppend {
  resolve(stored: StoredEvent[]): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions {
  /** statements in flight at once (each on its own connection) */
  readonly maxInFlight?: number;
  /** events in one statement (an append larger than this goes alone) */
  readonly maxEvents?: number;
}

export class GroupCommit {
  private pending: Pending[] = [];
  /** sessions with an append in a statement in flight: one statement holds a session once */
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private scheduled = false;
  private statementCount = 0;
  private readonly maxInFlight: number;
  private readonly maxEvents: number;

  constructor(
    private readonly db: Queryable,
    options: GroupCommitOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxEvents = options.maxEvents ?? 5_000;
  }

  /** statements sent so far */
  get statements(): number {
    return this.statementCount;
  }

  /** Appends a turn's events, fenced by its lease; resolves once they are committed. */
  append(sessionId: string, turn: number, owner: string, events: readonly SessionEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    return new Promise<StoredEvent[]>((resolve, reject) => {
      this.pending.push({ sessionId, turn, owner, events, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // the appends of this tick go out together
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
      this.statementCount++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        for (const entry of batch) this.busy.delete(entry.sessionId);
        this.pump();
      });
    }
  }

  /** The pending appends for one statement: in arrival order, a session once, up to maxEvents. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    let events = 0;
    for (const entry of this.pending) {
      const fits = batch.length === 0 || events + entry.events.length <= this.maxEvents;
      if (fits && !this.busy.has(entry.sessionId)) {
        batch.push(entry);
        this.busy.add(entry.sessionId);
        events += entry.events.length;
      } else {
        rest.push(entry);
      }
    }
    this.pending = rest;
    return batch;
  }

  private async send(batch: readonly Pending[]): Promise<void> {
    let results: (StoredEvent[] | LeaseLostError)[];
    try {
      results = await appendManyTurns(this.db, batch);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, i) => {
      const result = results[i]!;
      if (result instanceof LeaseLostError) entry.reject(result);
      else entry.resolve(result);
    });
  }
}
