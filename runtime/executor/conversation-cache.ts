/**
 * The conversation a session's next turn will hand its harness, kept in memory for a short
 * while after a turn ends here. The API's fast dispatch (store/turns.ts FastDispatch) then
 * sends it without rebuilding it from every earlier turn in Postgres, so a turn's cost does
 * not grow with the session's length. Postgres stays the source of truth: the enqueue
 * statement uses a remembered conversation only when it ends right before the new turn, and
 * builds it from the turns table otherwise.
 *
 * Bounded twice: entries expire (a conversation is useful only for a quick next message) and
 * all entries together hold at most `maxChars` characters (oldest dropped first).
 */
import type { KnownConversation } from '../store/turns.ts';

interface Entry extends KnownConversation {
  readonly at: number;
  readonly chars: number;
}

export interface ConversationCacheOptions {
  readonly ttlMs: number;
  readonly maxChars: number;
  readonly now?: () => number;
}

export class ConversationCache {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  private readonly now: () => number;

  constructor(private readonly options: ConversationCacheOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.entries.size;
  }

  get totalChars(): number {
    return this.chars;
  }

  remember(sessionId: string, conversation: KnownConversation): void {
    this.forget(sessionId);
    const chars = conversation.history.reduce((sum, m) => sum + m.text.length, 0);
    this.sweep();
    if (this.options.ttlMs <= 0 || chars > this.options.maxChars) return;
    while (this.chars + chars > this.options.maxChars) this.forget(this.entries.keys().next().value!);
    this.entries.set(sessionId, { ...conversation, at: this.now(), chars });
    this.chars += chars;
  }

  /** The session's remembered conversation, if fresh; taking it removes it. */
  take(sessionId: string): KnownConversation | undefined {
    const entry = this.entries.get(sessionId);
    this.forget(sessionId);
    if (!entry || this.now() - entry.at >= this.options.ttlMs) return undefined;
    return { throughTurn: entry.throughTurn, history: entry.history };
  }

  forget(sessionId: string): void {
    const entry = this.entries.get(sessionId);
    if (!entry) return;
    this.entries.delete(sessionId);
    this.chars -= entry.chars;
  }

  /** Drops expired entries (the map is in insertion order, which is age order). */
  private sweep(): void {
    const cutoff = this.now() - this.options.ttlMs;
    for (const [sessionId, entry] of this.entries) {
      if (entry.at > cutoff) break;
      this.forget(sessionId);
    }
  }
}
