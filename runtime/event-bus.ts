/**
 * Wakes live event streams. Events committed by this replica are handed over directly;
 * events committed by another replica arrive as a NOTIFY `<session>:<lastSeq>` and the
 * stream reads them from Postgres. Either way the database is the source of truth: a
 * subscriber that cannot use a hint (gap, overflow, reconnect) re-reads from its cursor.
 */
import type { StoredEvent } from './session-events.ts';

export type BusMessage =
  /** events just committed here, in seq order */
  | { readonly kind: 'events'; readonly events: readonly StoredEvent[] }
  /** events up to lastSeq were committed (by any replica) */
  | { readonly kind: 'committed'; readonly lastSeq: number }
  /** notifications may have been missed: re-read */
  | { readonly kind: 'resync' };

export type BusListener = (message: BusMessage) => void;

export class EventBus {
  private readonly listeners = new Map<string, Set<BusListener>>();

  /**
   * `onPublished`: told the last seq of every batch published here (events this replica
   * committed), to announce them to the other replicas (db/notifier.ts).
   */
  constructor(private readonly onPublished?: (sessionId: string, lastSeq: number) => void) {}

  subscribe(sessionId: string, listener: BusListener): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) {
      set = new Set();
      this.listeners.set(sessionId, set);
    }
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(sessionId);
    };
  }

  publish(sessionId: string, events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    this.onPublished?.(sessionId, events.at(-1)!.seq);
    for (const listener of this.listeners.get(sessionId) ?? []) listener({ kind: 'events', events });
  }

  committed(sessionId: string, lastSeq: number): void {
    for (const listener of this.listeners.get(sessionId) ?? []) listener({ kind: 'committed', lastSeq });
  }

  resyncAll(): void {
    for (const set of this.listeners.values()) for (const listener of set) listener({ kind: 'resync' });
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
