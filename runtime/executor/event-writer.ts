/**
 * Group commit of one turn's events: while a write is in flight, new events accumulate and go
 * in the next write, so a fast stream costs one round trip per batch, not per event. Events
 * are published to live streams only after their write committed (durable before streamed).
 * When the database is unavailable the writer keeps the events and retries; it gives up only
 * when the lease is lost (another replica owns the turn now).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isDatabaseUnavailable, type Pool } from '../db/pool.ts';
import type { SessionEvent, StoredEvent } from '../session-events.ts';
import { appendEvents, LeaseLostError, listEvents } from '../store/events.ts';
import type { GroupCommit } from './group-commit.ts';

export interface EventWriterOptions {
  readonly pool: Pool;
  readonly sessionId: string;
  readonly turn: number;
  readonly owner: string;
  readonly onStored: (events: readonly StoredEvent[]) => void;
  readonly onDatabaseError: (error: unknown) => void;
  /** stop retrying (shutdown): pending events stay unwritten and unacknowledged */
  readonly signal?: AbortSignal;
  readonly maxBatch?: number;
  /**
   * how long the first event of a batch waits for company before it is written: a burst of
   * events becomes one commit (and a short turn's events ride with its final write)
   */
  readonly lingerMs?: number;
  /** the session's last seq this turn had written when the writer started */
  readonly afterSeq: number;
  /** the replica's group commit: this writer's batches share statements with other turns' */
  readonly groupCommit?: GroupCommit | undefined;
}

export class EventWriter {
  private pending: SessionEvent[] = [];
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private lingering: NodeJS.Timeout | undefined;
  private lastSeq: number;

  constructor(private readonly options: EventWriterOptions) {
    this.maxBatch = options.maxBatch ?? 500;
    this.lingerMs = options.lingerMs ?? 2;
    this.lastSeq = options.afterSeq;
  }

  /** seq of the last event this writer committed */
  get committedSeq(): number {
    return this.lastSeq;
  }

  push(event: SessionEvent): void {
    if (this.failure) throw this.failure;
    this.pending.push(event);
    if (this.inFlight || this.lingering) {
      if (this.pending.length >= this.maxBatch) this.writeNow();
      return;
    }
    if (this.lingerMs <= 0) this.pump();
    else this.lingering = setTimeout(() => this.writeNow(), this.lingerMs);
  }

  private writeNow(): void {
    if (this.lingering) clearTimeout(this.lingering);
    this.lingering = undefined;
    this.pump();
  }

  /** events waiting for their write; the caller slows down reading when it grows */
  get backlog(): number {
    return this.pending.length;
  }

  /** Resolves once everything pushed so far is committed; throws the writer's failure. */
  async flush(): Promise<void> {
    this.writeNow();
    while (this.inFlight || this.pending.length > 0) {
      if (!this.inFlight) this.pump();
      await this.inFlight;
      if (this.failure) throw this.failure;
    }
    if (this.failure) throw this.failure;
  }

  /**
   * Waits for the write in flight, then hands back the events not yet written (the caller
   * writes them with the turn's final statement: one commit less per turn).
   */
  async takeRest(): Promise<SessionEvent[]> {
    if (this.lingering) clearTimeout(this.lingering);
    this.lingering = undefined;
    while (this.inFlight) await this.inFlight;
    if (this.failure) throw this.failure;
    return this.pending.splice(0);
  }

  private pump(): void {
    if (this.inFlight || this.pending.length === 0 || this.failure) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.inFlight = this.write(batch).then(
      () => {
        this.inFlight = undefined;
        this.pump();
      },
      (error: unknown) => {
        this.failure = error;
        this.inFlight = undefined;
      },
    );
  }

  private async write(batch: readonly SessionEvent[]): Promise<void> {
    let backoff = 50;
    let ambiguous = false;
    for (;;) {
      try {
        // a connection lost during COMMIT leaves it unknown whether the batch was written:
        // this turn has no other writer, so what follows our last seq tells
        const stored = (ambiguous ? await this.alreadyWritten(batch) : undefined) ?? (await this.append(batch));
        this.lastSeq = stored.at(-1)!.seq;
        this.options.onStored(stored);
        return;
      } catch (error) {
        if (error instanceof LeaseLostError || !isDatabaseUnavailable(error)) throw error;
        ambiguous = true;
        this.options.onDatabaseError(error);
        if (this.options.signal?.aborted) throw error;
        await delay(backoff);
        backoff = Math.min(backoff * 2, 2_000);
      }
    }
  }

  private append(batch: readonly SessionEvent[]): Promise<StoredEvent[]> {
    const { groupCommit, pool, sessionId, turn, owner } = this.options;
    return groupCommit ? groupCommit.append(sessionId, turn, owner, batch) : appendEvents(pool, sessionId, turn, batch, { owner });
  }

  private async alreadyWritten(batch: readonly SessionEvent[]): Promise<StoredEvent[] | undefined> {
    const after = await listEvents(this.options.pool, this.options.sessionId, this.lastSeq, batch.length + 1);
    const ours = after.filter((e) => e.turn === this.options.turn);
    return ours.length === batch.length ? ours : undefined;
  }
}

/** Retries `work` while the database is unavailable (bounded by the signal). */
export async function retryWhileUnavailable<T>(work: () => Promise<T>, onDatabaseError: (error: unknown) => void, signal?: AbortSignal): Promise<T> {
  let backoff = 50;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      onDatabaseError(error);
      if (signal?.aborted) throw error;
      await delay(backoff);
      backoff = Math.min(backoff * 2, 2_000);
    }
  }
}
