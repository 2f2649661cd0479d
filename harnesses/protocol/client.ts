/**
 * The runtime side of harness protocol v1: a typed client for one sandbox endpoint. Every event
 * a harness streams is validated; a stream that ends without `done` is an error (the runtime
 * then treats the sandbox as broken), never a silent success.
 *
 * Transport: node:http over a keep-alive agent. Every turn crosses this client, and on the
 * turn path fetch (undici, WHATWG streams) cost about a millisecond of CPU per call more than
 * node:http does (docs/adr/0014-turn-latency.md).
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import { HttpError, readBody } from './http.ts';
import { describeIssues, harnessEventSchema } from './schema.ts';
import { SseParser } from './sse.ts';
import { traceHeaders } from './trace-context.ts';
import { HARNESS_PROTOCOL, type AbortRequest, type HarnessEvent, type HealthResponse, type StatusResponse, type TurnRequest } from './types.ts';

export type HarnessCallErrorCode =
  /** connection refused/reset, DNS, timeout: the sandbox may be gone */
  | 'unreachable'
  | 'unauthorized'
  | 'already_bound'
  | 'busy'
  /** the turn stream ended without `done` */
  | 'stream_ended'
  /** the harness answered something protocol v1 does not allow */
  | 'protocol_error'
  | 'http_error';

export class HarnessCallError extends Error {
  constructor(
    readonly code: HarnessCallErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HarnessCallError';
  }
}

export interface HarnessClientOptions {
  /** per-request timeout for everything but the turn stream itself */
  readonly timeoutMs?: number;
  /**
   * how long a turn stream may stay silent before the sandbox is taken for gone (harnesses send
   * a keep-alive comment every 15 s; a vanished pod sends nothing, not even a reset)
   */
  readonly streamIdleMs?: number;
}

/**
 * Sandbox connections are reused across turns. An idle one is dropped after 60 s, before the
 * harness server's keep-alive timeout (65 s, it says so in its Keep-Alive header), so a request
 * is not sent on a socket the server is closing; one that races a close anyway is retried.
 */
const sandboxAgent = new Agent({ keepAlive: true, keepAliveMsecs: 10_000, timeout: 60_000, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });

export class HarnessClient {
  private readonly url: URL;
  private readonly timeoutMs: number;
  private readonly streamIdleMs: number;

  constructor(
    endpoint: string,
    private readonly token?: string,
    options: HarnessClientOptions = {},
  ) {
    this.url = new URL(endpoint);
    if (this.url.protocol !== 'http:') throw new Error(`harness endpoint ${endpoint}: protocol v1 is plain HTTP inside the sandbox network (got ${this.url.protocol})`);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.streamIdleMs = options.streamIdleMs ?? 45_000;
  }

  private get base(): string {
    return this.url.origin;
  }

  /** the sandbox's host (for span attributes) */
  get host(): string {
    return this.url.hostname;
  }

  /** GET /healthz (unauthenticated). */
  async health(signal?: AbortSignal): Promise<HealthResponse> {
    const body = (await this.call('GET', '/healthz', undefined, signal, false)).json as HealthResponse;
    if (body.protocol !== HARNESS_PROTOCOL) throw new HarnessCallError('protocol_error', `the harness speaks ${JSON.stringify(body.protocol)}, not ${HARNESS_PROTOCOL}`);
    return body;
  }

  /** GET /v1/status: proves the sandbox is alive and bound to our token. */
  async status(signal?: AbortSignal): Promise<StatusResponse> {
    return (await this.call('GET', '/v1/status', undefined, signal)).json as StatusResponse;
  }

  /** POST /v1/bind: sets the sandbox token exactly once. */
  async bind(token: string, signal?: AbortSignal): Promise<void> {
    await this.call('POST', '/v1/bind', { token }, signal, false);
  }

  /** POST /v1/abort; true when a running turn was aborted, false when nothing ran. */
  async abort(abortRequest: AbortRequest = {}, signal?: AbortSignal): Promise<boolean> {
    return (await this.call('POST', '/v1/abort', abortRequest, signal)).status === 202;
  }

  /**
   * POST /v1/turns and yield its events as they arrive, ending with `done`. Throws
   * HarnessCallError('stream_ended') when the connection drops before `done`.
   */
  async *turn(turnRequest: TurnRequest, signal?: AbortSignal): AsyncGenerator<HarnessEvent, void, undefined> {
    const idle = { ms: this.streamIdleMs, fired: false };
    // the active span's traceparent: the harness's spans of this turn join the runtime's trace
    const res = await this.send('POST', '/v1/turns', turnRequest, { ...this.headers(true), ...traceHeaders() }, signal, idle);
    if (res.statusCode !== 200) throw errorFrom(res.statusCode ?? 0, await readAnswer(res));
    const parser = new SseParser();
    res.setEncoding('utf8');
    let finished = false;
    try {
      // leaving the loop at `done` must not destroy the socket: it goes back to the agent
      for await (const chunk of res.iterator({ destroyOnReturn: false }) as AsyncIterable<string>) {
        for (const message of parser.push(chunk)) {
          const event = parseEvent(message.event, message.data);
          // set before yielding: a consumer that stops at `done` never resumes this generator
          if (event.type === 'done') finished = true;
          yield event;
          if (finished) return;
        }
      }
    } catch (error) {
      if (error instanceof HarnessCallError) throw error;
      if (signal?.aborted) throw signal.reason ?? error;
      if (idle.fired) throw new HarnessCallError('stream_ended', `the turn stream broke before "done": the harness sent nothing for ${idle.ms / 1000} s`);
      throw new HarnessCallError('stream_ended', `the turn stream broke before "done": ${(error as Error).message}`);
    } finally {
      if (finished) releaseAfterDone(res);
      else res.destroy(); // left early (abort, error, consumer gone): the socket is not reusable
    }
    if (signal?.aborted) throw signal.reason;
    throw new HarnessCallError('stream_ended', 'the harness closed the turn stream before "done"');
  }

  private headers(json: boolean): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) };
  }

  /** A request with a bounded time for the whole exchange; answers >= 400 become HarnessCallError. */
  private async call(method: string, path: string, body: unknown, signal: AbortSignal | undefined, authenticated = true): Promise<{ status: number; json: unknown }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers = authenticated ? this.headers(body !== undefined) : body !== undefined ? { 'content-type': 'application/json' } : {};
    const res = await this.send(method, path, body, headers, combined);
    let text: string;
    try {
      text = await readAnswer(res);
    } catch (error) {
      if (error instanceof HarnessCallError) throw error;
      throw unreachable(combined.aborted ? combined.reason : error, this.base);
    }
    const status = res.statusCode ?? 0;
    if (status >= 400) throw errorFrom(status, text);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new HarnessCallError('protocol_error', `${method} ${path} answered ${status} with a body that is not JSON`);
    }
    return { status, json };
  }

  /**
   * Sends one request; resolves with the response head, or rejects as unreachable. A request on
   * a reused keep-alive socket that the server closed meanwhile (reset before any answer: the
   * server never read it) is sent once more on a fresh connection.
   */
  private async send(method: string, path: string, body: unknown, headers: Record<string, string>, signal: AbortSignal | undefined, idle?: IdleLimit): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sendOnce(method, path, payload, headers, signal, idle);
      } catch (error) {
        if (attempt === 1 && error instanceof StaleSocketError) continue;
        throw unreachable(signal?.aborted ? signal.reason : error instanceof StaleSocketError ? error.cause : error, this.base);
      }
    }
  }

  private sendOnce(method: string, path: string, payload: string | undefined, headers: Record<string, string>, signal: AbortSignal | undefined, idle: IdleLimit | undefined): Promise<IncomingMessage> {
    return new Promise<IncomingMessage>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const req = request({
        agent: sandboxAgent,
        host: this.url.hostname.replace(/^\[|\]$/g, ''),
        port: this.url.port || 80,
        method,
        path,
        headers: { ...headers, ...(payload !== undefined ? { 'content-length': String(Buffer.byteLength(payload)) } : {}) },
        ...(signal ? { signal } : {}),
      });
      // silence for this long (no answer, then no data) means the peer is gone
      if (idle)
        req.setTimeout(idle.ms, () => {
          idle.fired = true;
          req.destroy(new Error(`the harness sent nothing for ${idle.ms / 1000} s`));
        });
      let answered = false;
      req.once('response', (res) => {
        answered = true;
        resolve(res);
      });
      req.once('error', (error) => {
        if (!answered && req.reusedSocket && (error as { code?: string }).code === 'ECONNRESET') reject(new StaleSocketError(error));
        else reject(error);
      });
      req.end(payload);
    });
  }
}

/**
 * After `done` the harness ends the response; reading to its end hands the socket back to the
 * keep-alive pool. A harness that keeps writing after `done` loses the connection instead.
 */
function releaseAfterDone(res: IncomingMessage): void {
  res.resume();
  if (res.complete) return;
  const guard = setTimeout(() => res.destroy(), 2_000);
  guard.unref();
  res.once('close', () => clearTimeout(guard));
}

/** Silence after which a peer is taken for gone; `fired` tells why the request died. */
interface IdleLimit {
  readonly ms: number;
  fired: boolean;
}

/** A keep-alive socket the server closed just as we reused it. */
class StaleSocketError extends Error {
  constructor(override readonly cause: unknown) {
    super('the reused connection was closed by the harness');
  }
}

/** Answers other than the turn stream are small JSON documents; a harness sending more is broken. */
const MAX_ANSWER_BYTES = 64 * 1024;

async function readAnswer(res: IncomingMessage): Promise<string> {
  try {
    return await readBody(res, MAX_ANSWER_BYTES);
  } catch (error) {
    if (error instanceof HttpError && error.status === 413) throw new HarnessCallError('protocol_error', `the harness answered ${res.statusCode} with more than ${MAX_ANSWER_BYTES} bytes`);
    throw error;
  }
}

function parseEvent(name: string, data: string): HarnessEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    throw new HarnessCallError('protocol_error', `event "${name}" carries data that is not JSON`);
  }
  const parsed = harnessEventSchema.safeParse(raw);
  if (!parsed.success) throw new HarnessCallError('protocol_error', `invalid "${name}" event: ${describeIssues(parsed.error.issues)}`);
  if (parsed.data.type !== name) throw new HarnessCallError('protocol_error', `event name "${name}" does not match its data type "${parsed.data.type}"`);
  return parsed.data;
}

function unreachable(error: unknown, base: string): HarnessCallError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const cause = typeof code === 'string' ? code : error instanceof Error ? (error.name === 'Error' ? error.message : error.name) : String(error);
  return new HarnessCallError('unreachable', `cannot reach the harness at ${base} (${cause})`);
}

function errorFrom(status: number, text: string): HarnessCallError {
  let code = 'http_error';
  let message = `HTTP ${status}`;
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    /* not JSON: keep the status line */
  }
  const known: readonly HarnessCallErrorCode[] = ['unauthorized', 'already_bound', 'busy'];
  return new HarnessCallError(known.includes(code as HarnessCallErrorCode) ? (code as HarnessCallErrorCode) : 'http_error', message, status);
}
