/**
 * A harness protocol v1 server (docs/harness-protocol-v1.md) around one function, the
 * TurnHandler. Every harness adapter (scripted, claude-code, codex, ...) reuses it, so the
 * protocol — auth and the bind-once flow, body limits and validation, one turn at a time, the
 * SSE stream that always ends with exactly one `done`, abort — is implemented once.
 *
 * ```ts
 * import { startHarnessFromEnv } from '../protocol/server.ts';
 * await startHarnessFromEnv({
 *   harness: 'my-agent',
 *   async *handleTurn(turn, { signal }) {
 *     yield { type: 'text_delta', text: `you said ${turn.input}` };
 *   },
 * });
 * ```
 *
 * Handler contract:
 * - yield events in order; yielding `done` ends the turn (later events are dropped); returning
 *   without `done` ends it with `done {stopReason:"end_turn"}`;
 * - throwing ends it with `error {code:"harness_failed"}` then `done {stopReason:"error"}`;
 * - `signal` aborts on `POST /v1/abort` and when the runtime hangs up; stop work promptly. After
 *   `abortGraceMs` the server ends the stream with `done {stopReason:"aborted"}` by itself and
 *   the harness accepts the next turn.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerToken, HttpError, readJsonBody, secretsEqual, sendError, sendHttpError, sendJson, sendNoContent } from './http.ts';
import { abortRequestSchema, bindRequestSchema, turnRequestSchema } from './schema.ts';
import { encodeSse, encodeSseComment } from './sse.ts';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { extractContext } from './trace-context.ts';
import { startTracing, type Tracing } from './tracing.ts';
import { HARNESS_PROTOCOL, MAX_BODY_BYTES, type HarnessEvent, type HealthResponse, type StatusResponse, type TurnRequest } from './types.ts';

export interface TurnContext {
  /** aborted by POST /v1/abort or when the caller disconnects; `signal.reason` says which */
  readonly signal: AbortSignal;
  /** a line for the harness log (stderr); never log tokens or inputs you would not print */
  log(message: string): void;
}

export type TurnHandler = (turn: TurnRequest, context: TurnContext) => AsyncIterable<HarnessEvent>;

export interface HarnessServerOptions {
  /** the harness name reported by /healthz */
  readonly harness: string;
  readonly handleTurn: TurnHandler;
  /** the per-sandbox token when known at start (local driver); otherwise unbound until /v1/bind */
  readonly token?: string;
  readonly maxBodyBytes?: number;
  /** SSE comment interval keeping idle proxies from closing a quiet stream */
  readonly keepAliveMs?: number;
  /** how long an aborted handler may take to wrap up before the server ends the stream */
  readonly abortGraceMs?: number;
  readonly log?: (message: string) => void;
}

export interface HarnessServer {
  readonly server: Server;
  /** resolves with the bound address (port 0 picks a free port) */
  listen(port: number, host: string): Promise<AddressInfo>;
  /** aborts a running turn, stops accepting connections and waits for the server to close */
  close(): Promise<void>;
}

interface RunningTurn {
  readonly sessionId: string;
  readonly turn: number;
  readonly controller: AbortController;
}

export class AbortReason extends Error {
  constructor(readonly kind: 'requested' | 'disconnected' | 'shutdown') {
    super(`turn aborted (${kind})`);
    this.name = 'AbortReason';
  }
}

export function createHarnessServer(options: HarnessServerOptions): HarnessServer {
  const log = options.log ?? ((message: string) => process.stderr.write(`[${options.harness}] ${message}\n`));
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const abortGraceMs = options.abortGraceMs ?? 2_000;
  let token = options.token && options.token.length > 0 ? options.token : undefined;
  let running: RunningTurn | undefined;

  function authenticate(req: IncomingMessage): void {
    if (token === undefined) throw new HttpError(401, 'unauthorized', 'this harness is not bound yet: POST /v1/bind first');
    const presented = bearerToken(req);
    if (presented === undefined) throw new HttpError(401, 'unauthorized', 'missing "Authorization: Bearer <token>"');
    if (!secretsEqual(presented, token)) throw new HttpError(401, 'unauthorized', 'invalid sandbox token');
  }

  function health(): HealthResponse {
    return { status: 'ok', protocol: HARNESS_PROTOCOL, harness: options.harness, bound: token !== undefined, busy: running !== undefined };
  }

  async function bind(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (token !== undefined) throw new HttpError(409, 'already_bound', 'this harness is already bound to a token; a token is set exactly once');
    const body = await readJsonBody(req, bindRequestSchema, { limit: maxBodyBytes });
    // re-check: another bind may have won while this body was read
    if (token !== undefined) throw new HttpError(409, 'already_bound', 'this harness is already bound to a token; a token is set exactly once');
    token = body.token;
    log('bound to a sandbox token');
    sendNoContent(res);
  }

  async function abort(req: IncomingMessage, res: ServerResponse): Promise<void> {
    authenticate(req);
    const body = await readJsonBody(req, abortRequestSchema, { limit: maxBodyBytes, allowEmpty: true });
    const current = running;
    const matches = current !== undefined && (body.sessionId === undefined || body.sessionId === current.sessionId) && (body.turn === undefined || body.turn === current.turn);
    if (!matches || current === undefined) {
      sendNoContent(res);
      return;
    }
    current.controller.abort(new AbortReason('requested'));
    sendJson(res, 202, { aborted: { sessionId: current.sessionId, turn: current.turn } });
  }

  function status(req: IncomingMessage, res: ServerResponse): void {
    authenticate(req);
    const body: StatusResponse = { protocol: HARNESS_PROTOCOL, harness: options.harness, busy: running !== undefined, turn: running ? { sessionId: running.sessionId, turn: running.turn } : null };
    sendJson(res, 200, body);
  }

  async function turn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    authenticate(req);
    const request = await readJsonBody(req, turnRequestSchema, { limit: maxBodyBytes });
    if (running !== undefined) throw new HttpError(409, 'busy', `turn ${running.turn} of session ${running.sessionId} is still running; abort it or wait for its "done"`);
    const controller = new AbortController();
    const current: RunningTurn = { sessionId: request.sessionId, turn: request.turn, controller };
    running = current;
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new AbortReason('disconnected'));
    });
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    let id = 0;
    // events produced in one tick leave as one HTTP chunk: one syscall, one wake-up of the
    // runtime, and one chunk (not one per event) for its HTTP parser and stream to handle
    let pending: string[] = [];
    const flushPending = () => {
      if (pending.length === 0) return;
      const text = pending.join('');
      pending = [];
      if (!res.destroyed) res.write(text);
    };
    const write = (event: HarnessEvent) => {
      if (res.destroyed) return;
      if (pending.length === 0) process.nextTick(flushPending);
      pending.push(encodeSse(++id, event.type, event));
    };
    const keepAlive = setInterval(() => {
      if (!res.destroyed) res.write(encodeSseComment('keep-alive'));
    }, keepAliveMs);
    keepAlive.unref();
    // continues the runtime's trace (the traceparent of its harness.turn span); the handler's
    // own spans (cli.run) are children of this one
    const span = trace.getTracer('paddock-harness').startSpan('harness.turn', { kind: SpanKind.SERVER, attributes: { 'paddock.harness': options.harness, 'paddock.session.id': request.sessionId, 'paddock.turn': request.turn } }, extractContext(req.headers));
    let events = 0;
    let stopReason = 'none';
    const counted = (event: HarnessEvent) => {
      events++;
      if (event.type === 'done') stopReason = event.stopReason;
      write(event);
    };
    try {
      await context.with(trace.setSpan(context.active(), span), () => streamTurn(options.handleTurn(request, { signal: controller.signal, log }), controller.signal, abortGraceMs, counted, log));
    } finally {
      span.setAttributes({ 'paddock.harness.events': events, 'paddock.turn.stop_reason': stopReason });
      if (stopReason === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      clearInterval(keepAlive);
      if (running === current) running = undefined;
      flushPending();
      res.end();
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const routes: Record<string, Record<string, () => Promise<void> | void>> = {
      '/healthz': { GET: () => sendJson(res, 200, health()) },
      '/v1/bind': { POST: () => bind(req, res) },
      '/v1/turns': { POST: () => turn(req, res) },
      '/v1/abort': { POST: () => abort(req, res) },
      '/v1/status': { GET: () => status(req, res) },
    };
    const methods = path === undefined ? undefined : routes[path];
    if (!methods) throw new HttpError(404, 'not_found', `no route ${req.method} ${path}`);
    const handler = methods[req.method ?? ''];
    if (!handler) throw new HttpError(405, 'method_not_allowed', `${path} accepts ${Object.keys(methods).join(', ')}`, { allow: Object.keys(methods).join(', ') });
    await handler();
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) sendHttpError(res, error);
      else {
        log(`internal error: ${(error as Error).stack ?? String(error)}`);
        sendError(res, 500, 'internal', 'internal harness error');
      }
    });
  });
  server.requestTimeout = 0; // turns stream for as long as the agent works
  // idle connections stay open longer than the runtime keeps them (HarnessClient: 60 s)
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 10_000;

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      running?.controller.abort(new AbortReason('shutdown'));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), abortGraceMs + 100).unref();
      });
    },
  };
}

/** Drives a handler's events to `write`, guaranteeing exactly one final `done`. */
async function streamTurn(events: AsyncIterable<HarnessEvent>, signal: AbortSignal, abortGraceMs: number, write: (event: HarnessEvent) => void, log: (message: string) => void): Promise<void> {
  const iterator = events[Symbol.asyncIterator]();
  let graceTimer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace_over'>((resolve) => {
    const start = () => {
      graceTimer = setTimeout(() => resolve('grace_over'), abortGraceMs);
    };
    if (signal.aborted) start();
    else signal.addEventListener('abort', start, { once: true });
  });
  try {
    for (;;) {
      let step: IteratorResult<HarnessEvent> | 'grace_over';
      try {
        step = await Promise.race([iterator.next(), graceOver]);
      } catch (error) {
        if (signal.aborted) write({ type: 'done', stopReason: 'aborted' });
        else {
          log(`turn failed: ${(error as Error).message}`);
          write({ type: 'error', code: 'harness_failed', message: (error as Error).message || 'the harness failed', retryable: false });
          write({ type: 'done', stopReason: 'error' });
        }
        return;
      }
      if (step === 'grace_over') {
        void iterator.return?.().catch(() => undefined);
        write({ type: 'done', stopReason: 'aborted' });
        return;
      }
      if (step.done) {
        write({ type: 'done', stopReason: signal.aborted ? 'aborted' : 'end_turn' });
        return;
      }
      write(step.value);
      if (step.value.type === 'done') {
        void iterator.return?.().catch(() => undefined);
        return;
      }
    }
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
  }
}

export interface StartFromEnvOptions extends Omit<HarnessServerOptions, 'token'> {
  /** defaults to process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** port when PADDOCK_HARNESS_PORT is unset */
  readonly defaultPort?: number;
}

/**
 * Starts a harness the way sandboxes run it: port from PADDOCK_HARNESS_PORT, interface from
 * PADDOCK_HARNESS_HOST (0.0.0.0 by default; the local driver sets 127.0.0.1), token from
 * PADDOCK_SANDBOX_TOKEN when set (otherwise unbound until POST /v1/bind). SIGTERM and SIGINT
 * close it gracefully. Prints one JSON line `{"listening":{...}}` on stdout once ready.
 */
export async function startHarnessFromEnv(options: StartFromEnvOptions): Promise<HarnessServer> {
  const env = options.env ?? process.env;
  const portText = env.PADDOCK_HARNESS_PORT ?? String(options.defaultPort ?? 8080);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PADDOCK_HARNESS_PORT must be a port number, got ${JSON.stringify(portText)}`);
  const host = env.PADDOCK_HARNESS_HOST ?? '0.0.0.0';
  const token = env.PADDOCK_SANDBOX_TOKEN;
  // OTEL_* as the runtime reads them; off (nothing loaded) without an endpoint
  const tracing: Tracing = await startTracing({ serviceName: `paddock-harness-${options.harness}`, env });
  const harness = createHarnessServer({ ...options, ...(token ? { token } : {}) });
  const address = await harness.listen(port, host);
  const shutdown = () => {
    // the spans still buffered are exported before the process goes
    void harness.close().then(() => tracing.shutdown()).then(() => process.exit(0));
  };
  // before announcing readiness: whoever reads the line may signal at once
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.stdout.write(`${JSON.stringify({ listening: { harness: options.harness, host: address.address, port: address.port, bound: Boolean(token) } })}\n`);
  return harness;
}
