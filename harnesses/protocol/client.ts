/**
 * The runtime side of harness protocol v1: a typed client for one sandbox endpoint. Every event
 * a harness streams is validated; a stream that ends without `done` is an error (the runtime
 * then treats the sandbox as broken), never a silent success.
 */
import { describeIssues, harnessEventSchema } from './schema.ts';
import { SseParser } from './sse.ts';
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
}

export class HarnessClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(
    endpoint: string,
    private readonly token?: string,
    options: HarnessClientOptions = {},
  ) {
    this.base = endpoint.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** GET /healthz (unauthenticated). */
  async health(signal?: AbortSignal): Promise<HealthResponse> {
    const res = await this.call('GET', '/healthz', undefined, signal);
    const body = (await res.json()) as HealthResponse;
    if (body.protocol !== HARNESS_PROTOCOL) throw new HarnessCallError('protocol_error', `the harness speaks ${JSON.stringify(body.protocol)}, not ${HARNESS_PROTOCOL}`);
    return body;
  }

  /** GET /v1/status: proves the sandbox is alive and bound to our token. */
  async status(signal?: AbortSignal): Promise<StatusResponse> {
    const res = await this.call('GET', '/v1/status', undefined, signal);
    return (await res.json()) as StatusResponse;
  }

  /** POST /v1/bind: sets the sandbox token exactly once. */
  async bind(token: string, signal?: AbortSignal): Promise<void> {
    await this.call('POST', '/v1/bind', { token }, signal, false);
  }

  /** POST /v1/abort; true when a running turn was aborted, false when nothing ran. */
  async abort(request: AbortRequest = {}, signal?: AbortSignal): Promise<boolean> {
    const res = await this.call('POST', '/v1/abort', request, signal);
    await res.arrayBuffer();
    return res.status === 202;
  }

  /**
   * POST /v1/turns and yield its events as they arrive, ending with `done`. Throws
   * HarnessCallError('stream_ended') when the connection drops before `done`.
   */
  async *turn(request: TurnRequest, signal?: AbortSignal): AsyncGenerator<HarnessEvent, void, undefined> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/v1/turns`, { method: 'POST', headers: this.headers(true), body: JSON.stringify(request), ...(signal ? { signal } : {}) });
    } catch (error) {
      throw unreachable(error, this.base);
    }
    if (res.status !== 200) throw await errorFrom(res);
    if (!res.body) throw new HarnessCallError('protocol_error', 'the turn answer has no body');
    const parser = new SseParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const message of parser.push(decoder.decode(chunk, { stream: true }))) {
          const event = parseEvent(message.event, message.data);
          yield event;
          if (event.type === 'done') return;
        }
      }
    } catch (error) {
      if (error instanceof HarnessCallError) throw error;
      if (signal?.aborted) throw error;
      throw new HarnessCallError('stream_ended', `the turn stream broke before "done": ${(error as Error).message}`);
    }
    throw new HarnessCallError('stream_ended', 'the harness closed the turn stream before "done"');
  }

  private headers(json: boolean): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) };
  }

  private async call(method: string, path: string, body: unknown, signal: AbortSignal | undefined, authenticated = true): Promise<Response> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: authenticated ? this.headers(body !== undefined) : { 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: combined,
      });
    } catch (error) {
      throw unreachable(error, this.base);
    }
    if (res.status >= 400) throw await errorFrom(res);
    return res;
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
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
  return new HarnessCallError('unreachable', `cannot reach the harness at ${base} (${cause})`);
}

async function errorFrom(res: Response): Promise<HarnessCallError> {
  let code = 'http_error';
  let message = `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    /* not JSON: keep the status line */
  }
  const known: readonly HarnessCallErrorCode[] = ['unauthorized', 'already_bound', 'busy'];
  return new HarnessCallError(known.includes(code as HarnessCallErrorCode) ? (code as HarnessCallErrorCode) : 'http_error', message, res.status);
}
