/**
 * A fake model server on loopback that speaks the Anthropic Messages API (`/v1/messages`) and
 * the OpenAI Responses API (`/v1/responses`) closely enough for the real Claude Code and Codex
 * CLIs. Replies come from the deterministic brain (brain.ts). It records every request, checks
 * the API key the CLI presents (so tests prove the adapter passed the injected credential), and
 * counts open streams (so tests prove an aborted CLI closed its connection).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { answerAnthropic, type AnthropicRequest } from './anthropic.ts';
import { answerResponses, type ResponsesRequest } from './openai-responses.ts';
import { streamControl } from './stream-control.ts';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly api: 'anthropic' | 'openai' | 'other';
  readonly body: unknown;
}

export interface FakeModelServer {
  /** base URL without a path, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** streams currently held open by a `[[hang]]` answer */
  openHangs(): number;
  /** resolves once at least one hanging stream is open (bounded by timeoutMs) */
  waitForHang(timeoutMs?: number): Promise<void>;
  /** resolves once no hanging stream is open (bounded by timeoutMs) */
  waitForNoHang(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface FakeModelOptions {
  /** the API key the CLIs must present (x-api-key or Authorization: Bearer); any key when unset */
  readonly apiKey?: string;
  /** pause after each streamed frame, so deltas reach the client separately */
  readonly pauseMs?: number;
}

const decoders: Record<string, (input: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  let body: Buffer = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? '').trim();
  if (encoding && encoding !== 'identity') {
    const decode = decoders[encoding];
    if (!decode) throw new Error(`unsupported content-encoding ${encoding}`);
    body = await decode(body);
  }
  return body.length === 0 ? null : JSON.parse(body.toString('utf8'));
}

function presentedKey(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string') return header;
  const auth = req.headers.authorization;
  return typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth)?.[1] : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`fake model: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export async function startFakeModelServer(options: FakeModelOptions = {}): Promise<FakeModelServer> {
  const requests: RecordedRequest[] = [];
  let hangs = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const api = path.endsWith('/messages') ? 'anthropic' : path.endsWith('/responses') ? 'openai' : 'other';
      let body: unknown;
      try {
        body = await readJson(req);
      } catch (error) {
        sendJson(res, 400, { error: { type: 'invalid_request_error', message: (error as Error).message } });
        return;
      }
      requests.push({ method: req.method ?? 'GET', path, api, body });
      if (req.method !== 'POST' || api === 'other') {
        // Claude Code probes reachability with HEAD /api/hello; everything else is unknown
        if (req.method === 'HEAD') res.writeHead(200).end();
        else sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `fake model: no route ${req.method} ${path}` } });
        return;
      }
      if (options.apiKey !== undefined && presentedKey(req) !== options.apiKey) {
        sendJson(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'fake model: invalid API key' } });
        return;
      }
      const control = streamControl(res, options.pauseMs ?? 5, () => {
        hangs += 1;
        res.once('close', () => (hangs -= 1));
      });
      if (api === 'anthropic') await answerAnthropic((body ?? {}) as AnthropicRequest, res, control);
      else await answerResponses((body ?? {}) as ResponsesRequest, res, control);
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: String(error) } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    openHangs: () => hangs,
    waitForHang: (timeoutMs = 30_000) => until(() => hangs > 0, timeoutMs, 'a hanging model stream'),
    waitForNoHang: (timeoutMs = 10_000) => until(() => hangs === 0, timeoutMs, 'the hanging model stream to close'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
