/**
 * A session's events as Server-Sent Events: replay from the cursor (`after` or Last-Event-ID),
 * then live. The stream subscribes before replaying, so nothing committed in between is
 * missed; every event goes out at most once and in seq order (the cursor only moves forward),
 * and only after it is durable. The stream ends after `session_ended`. If the database is
 * unavailable the stream stays open (keep-alive comments) and catches up when it is back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { encodeSse, encodeSseComment } from '../../harnesses/protocol/sse.ts';
import type { Pool } from '../db/pool.ts';
import type { EventBus } from '../event-bus.ts';
import { drainedOrClosed } from './backpressure.ts';
import { eventToJson, type StoredEvent } from '../session-events.ts';
import { listEvents } from '../store/events.ts';

export interface EventStreamOptions {
  readonly pool: Pool;
  readonly bus: EventBus;
  readonly sessionId: string;
  readonly after: number;
  readonly keepAliveMs: number;
  readonly onDatabaseError: (error: unknown) => void;
  /** resolves when the server shuts down */
  readonly closing: Promise<void>;
}

const PAGE = 500;
const NOTIFY_GRACE_MS = 10;
const MAX_QUEUED = 10_000;
/** an SSE batch is written in pieces of about this many characters, each awaiting the socket when it is full */
const FLUSH_CHARS = 64 * 1024;

export async function streamSessionEvents(_req: IncomingMessage, res: ServerResponse, options: EventStreamOptions): Promise<void> {
  let cursor = options.after;
  let closed = false;
  let ended = false;
  let needFetch = true;
  let queue: StoredEvent[] = [];
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  // A NOTIFY for events this replica committed races their in-memory hand-over: give the
  // hand-over a moment before reading the database for them.
  let notified = 0;
  let notifyTimer: NodeJS.Timeout | undefined;
  const unsubscribe = options.bus.subscribe(options.sessionId, (message) => {
    if (message.kind === 'events') {
      if (queue.length + message.events.length > MAX_QUEUED) {
        queue = [];
        needFetch = true;
      } else queue.push(...message.events);
    } else if (message.kind === 'resync') needFetch = true;
    else if (message.lastSeq > cursor) {
      notified = Math.max(notified, message.lastSeq);
      notifyTimer ??= setTimeout(() => {
        notifyTimer = undefined;
        const queuedUpTo = queue.at(-1)?.seq ?? cursor;
        if (notified > Math.max(cursor, queuedUpTo)) needFetch = true;
        poke();
      }, NOTIFY_GRACE_MS);
      return;
    }
    poke();
  });
  res.on('close', () => {
    closed = true;
    poke();
  });
  void options.closing.then(() => {
    closed = true;
    poke();
  });

  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  // a stream that sent nothing since the last keep-alive re-reads its session: events another
  // replica committed are announced after their commit, and a replica that died in between
  // never announced them (db/notifier.ts)
  let quiet = true;
  const keepAlive = setInterval(() => {
    if (closed) return;
    res.write(encodeSseComment('keep-alive'));
    if (quiet) {
      needFetch = true;
      poke();
    }
    quiet = true;
  }, options.keepAliveMs);
  keepAlive.unref();

  const send = async (events: readonly StoredEvent[]) => {
    // a batch goes out as one write: one HTTP chunk, one socket write (a write per event made
    // the socket writes the runtime's largest CPU cost under a fast stream: ADR 0020)
    let frames = '';
    for (const event of events) {
      if (event.seq <= cursor || closed) continue;
      if (event.seq !== cursor + 1 && !needFetch) {
        // a gap: some events arrived through another path; read them in order
        needFetch = true;
        break;
      }
      cursor = event.seq;
      quiet = false;
      frames += encodeSse(event.seq, event.event.type, eventToJson(event));
      if (event.event.type === 'session_ended') ended = true;
      if (frames.length >= FLUSH_CHARS) {
        // a slow client holds at most about this much per stream, not a whole batch
        const ok = res.write(frames);
        frames = '';
        if (!ok && !closed) await drainedOrClosed(res);
      }
    }
    if (frames === '' || closed) return;
    if (!res.write(frames) && !closed) await drainedOrClosed(res);
  };

  try {
    while (!closed && !ended) {
      if (needFetch) {
        needFetch = false;
        queue = [];
        try {
          for (;;) {
            const page = await listEvents(options.pool, options.sessionId, cursor, PAGE);
            await send(page);
            if (page.length < PAGE || closed || ended) break;
          }
        } catch (error) {
          options.onDatabaseError(error);
          needFetch = true;
          await Promise.race([delay(1_000), new Promise<void>((resolve) => (wake = resolve))]);
        }
        continue;
      }
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        await send(batch);
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    clearInterval(keepAlive);
    if (notifyTimer) clearTimeout(notifyTimer);
    unsubscribe();
    if (!res.writableEnded) res.end();
  }
}

