/**
 * The bench's HTTP client for the runtime API, over node:http (the transport the harness
 * client — the direct side of each paired turn — uses too), and SSE subscriptions.
 */
import { Agent, request as httpRequest, type ClientRequest } from 'node:http';
import { SseParser } from '../../harnesses/protocol/sse.ts';
import { BENCH_TOKEN } from './bench-config.ts';

export const benchAgent = new Agent({ keepAlive: true, maxSockets: 256 });

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function api<T>(url: string, method: string, path: string, body?: unknown, agent: Agent = benchAgent): Promise<T> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<T>((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, agent, headers: { authorization: `Bearer ${BENCH_TOKEN}`, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => ((res.statusCode ?? 0) >= 300 ? reject(new ApiError(res.statusCode ?? 0, `${method} ${path}: ${res.statusCode} ${text}`)) : resolve(JSON.parse(text) as T)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export async function createSession(url: string): Promise<string> {
  const { session } = await api<{ session: { id: string } }>(url, 'POST', '/v1/sessions', { harness: 'scripted' });
  return session.id;
}

export async function sendMessage(url: string, sessionId: string, text: string, agent?: Agent): Promise<{ number: number; state: string }> {
  const { turn } = await api<{ turn: { number: number; state: string } }>(url, 'POST', `/v1/sessions/${sessionId}/messages`, { text }, agent);
  return turn;
}

/** A user of a burst: when the message went out, when it was accepted, whether it failed. */
export interface BurstSender {
  readonly sessionId: string;
  sentAt?: number;
  acceptedAt?: number;
  failed: boolean;
}

/** Sends `message` on every session at once through `agent` (users already connected); resolves once each is answered. */
export async function sendBurst(url: string, senders: readonly BurstSender[], message: string, agent: Agent): Promise<void> {
  await Promise.all(
    senders.map((s) => {
      s.sentAt = performance.now();
      return sendMessage(url, s.sessionId, message, agent).then(
        () => void (s.acceptedAt = performance.now()),
        () => void (s.failed = true),
      );
    }),
  );
}

/**
 * An agent holding `count` open keep-alive connections to `url` (each opened by a request that
 * `url` answers with any complete response): a burst sent through it models `count` users who
 * are already connected, so it measures the server, not `count` TCP handshakes queued in the
 * listen backlog or requests queued for one of benchAgent's 256 sockets.
 */
export async function connectedAgent(url: string, count: number): Promise<Agent> {
  const agent = new Agent({ keepAlive: true, maxSockets: count, maxFreeSockets: count });
  await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      }),
    ),
  );
  const open = Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);
  if (open !== count) throw new Error(`connectedAgent: ${open} of ${count} connections stayed open`);
  return agent;
}

export interface StreamEvent {
  readonly type: string;
  readonly turn: number | null;
  readonly seq: number;
  readonly [field: string]: unknown;
}

export interface Subscription {
  readonly opened: Promise<void>;
  /** the first event of `type` matching `pred` from now on */
  next(type: string, pred: (e: StreamEvent) => boolean): Promise<StreamEvent>;
  /** every event (parsed) is passed here too, with the time it arrived */
  onEvent?: (event: StreamEvent, at: number) => void;
  /** set when the stream failed or ended early */
  readonly error: () => Error | undefined;
  close(): void;
}

/**
 * A live SSE subscription. With `parseAll` every event is parsed and handed to `onEvent`;
 * without, only events of the type a `next` waits for are parsed (like a client waiting for
 * one kind of event: SSE names them).
 */
export function subscribe(url: string, sessionId: string, options: { parseAll?: boolean; agent?: Agent } = {}): Subscription {
  let waiter: { type: string; pred: (e: StreamEvent) => boolean; resolve: (e: StreamEvent) => void } | undefined;
  let request: ClientRequest | undefined;
  let failure: Error | undefined;
  let closed = false;
  const subscription: Subscription = {
    opened: new Promise<void>((resolve, reject) => {
      request = httpRequest(`${url}/v1/sessions/${sessionId}/events`, { agent: options.agent ?? false, headers: { authorization: `Bearer ${BENCH_TOKEN}`, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          failure = new Error(`SSE ${sessionId}: ${res.statusCode}`);
          res.resume();
          reject(failure);
          return;
        }
        const parser = new SseParser();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          for (const message of parser.push(chunk)) {
            if (!options.parseAll && message.event !== waiter?.type) continue;
            const event = JSON.parse(message.data) as StreamEvent;
            subscription.onEvent?.(event, at);
            if (waiter && message.event === waiter.type && waiter.pred(event)) {
              const w = waiter;
              waiter = undefined;
              w.resolve(event);
            }
          }
        });
        res.on('error', (error) => (failure ??= error));
        res.on('end', () => {
          if (!closed) failure ??= new Error(`SSE ${sessionId}: the stream ended`);
        });
        resolve();
      });
      request.on('error', (error) => {
        if (closed) return;
        failure ??= error;
        reject(error);
      });
      request.end();
    }),
    next: (type, pred) => new Promise<StreamEvent>((resolve) => (waiter = { type, pred, resolve })),
    error: () => failure,
    close: () => {
      closed = true;
      request?.destroy();
    },
  };
  return subscription;
}
