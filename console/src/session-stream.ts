/**
 * Follows a session's events over SSE and keeps following through network drops, reloads and
 * runtime restarts. EventSource cannot send an Authorization header, so this is fetch with a
 * streamed body, parsed by the project's SSE parser. Every (re)connection asks for
 * `after = lastSeq`; events go through the event log (event-log.ts), so each is delivered
 * exactly once and in order. A connection silent for longer than three keep-alives is assumed
 * dead (a dropped network often sends no FIN) and replaced.
 */
import { SseParser } from '../../harnesses/protocol/sse.ts';
import { TOKEN_REJECTED } from './api.ts';
import { acceptEvents, type EventLog } from './event-log.ts';
import { parseWireEvent, type WireEvent } from './events.ts';

export type StreamStatus =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live' }
  | { readonly kind: 'reconnecting'; readonly reason: string; readonly inMs: number }
  | { readonly kind: 'ended' }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

export interface FollowOptions {
  readonly sessionId: string;
  readonly token: string;
  /** resume after this log (e.g. emptyLog to replay everything) */
  readonly log: EventLog;
  readonly onEvents: (events: readonly WireEvent[], log: EventLog) => void;
  readonly onStatus: (status: StreamStatus) => void;
  readonly fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  readonly base?: string;
  /** delay before reconnection n (1, 2, ...) */
  readonly backoffMs?: (attempt: number) => number;
  /** no byte for this long: the connection is dead (the runtime sends a keep-alive every 15 s) */
  readonly idleTimeoutMs?: number;
}

export interface Follower {
  close(): void;
  /** the resume cursor now */
  readonly lastSeq: number;
  /** counters for the curious and the tests */
  readonly stats: { connections: number; duplicates: number; gaps: number };
}

const defaultBackoff = (attempt: number) => Math.min(10_000, 500 * 2 ** Math.min(attempt - 1, 5));

export function followSession(options: FollowOptions): Follower {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const backoff = options.backoffMs ?? defaultBackoff;
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  let log = options.log;
  let closed = false;
  let current: AbortController | undefined;
  let sleeper: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | undefined;
  const stats = { connections: 0, duplicates: 0, gaps: 0 };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      sleeper = { timer: setTimeout(resolve, ms), resolve };
    });

  /** one connection; resolves with why it ended (undefined: the session ended) */
  const connect = async (): Promise<{ retry: boolean; reason: string; code?: string }> => {
    const controller = new AbortController();
    current = controller;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => controller.abort(), idleTimeoutMs);
    };
    try {
      touch();
      const response = await fetchImpl(`${options.base ?? ''}/v1/sessions/${encodeURIComponent(options.sessionId)}/events?after=${log.lastSeq}`, {
        headers: { authorization: `Bearer ${options.token}`, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      stats.connections++;
      if (response.status === 401) return { retry: false, reason: TOKEN_REJECTED, code: 'unauthorized' };
      if (!response.ok) {
        let code = 'http_error';
        let message = `the runtime answered ${response.status}`;
        try {
          const body = (await response.json()) as { error?: { code?: string; message?: string } };
          code = body.error?.code ?? code;
          message = body.error?.message ?? message;
        } catch {
          // not JSON
        }
        // 404: gone or another team's; 400: our own bug; neither gets better by retrying
        return { retry: response.status >= 500 || response.status === 429, reason: message, code };
      }
      if (!response.body) return { retry: true, reason: 'the response has no body' };
      options.onStatus({ kind: 'live' });
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        touch();
        const messages = parser.push(decoder.decode(value, { stream: true }));
        const events: WireEvent[] = [];
        let unreadable: string | undefined;
        for (const message of messages) {
          if (message.data === '') continue;
          try {
            events.push(parseWireEvent(message.data));
          } catch (error) {
            unreadable = (error as Error).message;
            break;
          }
        }
        const result = acceptEvents(log, events);
        stats.duplicates += result.duplicates;
        log = result.log;
        if (result.applied.length > 0 && !closed) options.onEvents(result.applied, log);
        if (result.gap) {
          stats.gaps++;
          controller.abort();
          return { retry: true, reason: 'events arrived out of order; catching up' };
        }
        if (log.ended) {
          controller.abort();
          return { retry: false, reason: 'the session ended' };
        }
        if (unreadable !== undefined) {
          // the same bytes would come again on every retry: stop and say so
          controller.abort();
          return { retry: false, reason: `the stream sent an event after seq ${log.lastSeq} that cannot be read (${unreadable})`, code: 'unreadable_event' };
        }
      }
      return { retry: true, reason: 'the runtime closed the stream' };
    } catch (error) {
      if (closed) return { retry: false, reason: 'closed' };
      return { retry: true, reason: controller.signal.aborted ? 'the connection went quiet' : `the runtime cannot be reached (${(error as Error).message})` };
    } finally {
      if (idle) clearTimeout(idle);
    }
  };

  void (async () => {
    let attempt = 0;
    options.onStatus({ kind: 'connecting' });
    while (!closed) {
      const before = log.lastSeq;
      const outcome = await connect();
      if (closed) return;
      if (log.ended) {
        options.onStatus({ kind: 'ended' });
        return;
      }
      if (!outcome.retry) {
        options.onStatus({ kind: 'failed', code: outcome.code ?? 'stream_failed', message: outcome.reason });
        return;
      }
      // progress resets the backoff: a stream closed by a rolling restart reconnects at once
      attempt = log.lastSeq > before ? 1 : attempt + 1;
      const inMs = backoff(attempt);
      options.onStatus({ kind: 'reconnecting', reason: outcome.reason, inMs });
      await sleep(inMs);
    }
  })();

  return {
    close() {
      closed = true;
      current?.abort();
      if (sleeper) {
        clearTimeout(sleeper.timer);
        sleeper.resolve();
      }
    },
    get lastSeq() {
      return log.lastSeq;
    },
    stats,
  };
}
