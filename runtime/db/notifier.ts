/**
 * NOTIFY after commit, coalesced across sessions (ADR 0020).
 *
 * A transaction that issued NOTIFY holds a database-wide lock from just before its commit
 * until after it (PostgreSQL's async.c: "serialize writers by acquiring a special lock that we
 * hold till after commit"), WAL flush included. When every statement that appends events also
 * notified, all those commits queued behind one another and could not share a WAL flush: with
 * a thousand streaming turns the database's backends spent 90 % of their time waiting for that
 * lock. So the statements that write events no longer notify; their callers hand the committed
 * `(channel, payload)` here once the statement returned, and this sends everything pending in
 * one `SELECT pg_notify(...) FROM unnest(...)`, one statement in flight at a time, on a
 * connection with `synchronous_commit=off` (a notification is not durable anyway, so its
 * transaction need not wait for the disk while it holds the lock).
 *
 * What that costs: a replica dying between a commit and its notification leaves the other
 * replicas unwoken for it. Event streams therefore re-read their session at every keep-alive
 * (api/event-stream.ts), and executors poll for runnable turns (executor.ts), so a lost
 * notification delays, never loses.
 */
import type { Queryable } from './pool.ts';

const NOTIFY_MANY = 'SELECT pg_notify(n.channel, n.payload) FROM unnest($1::text[], $2::text[]) AS n(channel, payload)';

export class Notifier {
  /** per coalescing key, the latest notification */
  private pending = new Map<string, { channel: string; payload: string; rank: number }>();
  private inFlight: Promise<void> | undefined;
  private statements = 0;

  constructor(
    private readonly db: Queryable,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** statements sent so far (each carries every notification pending when it left) */
  get sent(): number {
    return this.statements;
  }

  /**
   * Sends `payload` on `channel` soon. Notifications with the same `key` coalesce: only the
   * one with the highest `rank` is sent (e.g. a session's highest committed seq).
   */
  notify(channel: string, payload: string, key = `${channel}\u0000${payload}`, rank = 0): void {
    const current = this.pending.get(key);
    if (!current || rank >= current.rank) this.pending.set(key, { channel, payload, rank });
    if (!this.inFlight) this.inFlight = this.pump();
  }

  /** Resolves once everything handed over so far was sent (or failed). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async pump(): Promise<void> {
    // let the notifications of this tick join the first statement
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()];
      this.pending = new Map();
      this.statements++;
      try {
        await this.db.query(NOTIFY_MANY, [batch.map((n) => n.channel), batch.map((n) => n.payload)]);
      } catch (error) {
        // the listeners resync when their connection comes back; streams and executors poll
        this.onError(error);
      }
    }
    this.inFlight = undefined;
  }
}
