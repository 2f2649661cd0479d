import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { HarnessCallError, HarnessClient } from '../../../harnesses/protocol/client.ts';
import { createHarnessServer, type HarnessServer, type TurnHandler } from '../../../harnesses/protocol/server.ts';
import type { HarnessEvent, TurnRequest } from '../../../harnesses/protocol/types.ts';

const TOKEN = 'a'.repeat(40);
const turnRequest = (over: Partial<TurnRequest> = {}): TurnRequest => ({ sessionId: 's1', turn: 1, input: 'hello', history: [], ...over });

let servers: HarnessServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(handleTurn: TurnHandler, options: { token?: string; abortGraceMs?: number; maxBodyBytes?: number } = {}) {
  const harness = createHarnessServer({ harness: 'test', handleTurn, log: () => undefined, ...options });
  servers.push(harness);
  const address = await harness.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${address.port}`;
}

async function collect(events: AsyncIterable<HarnessEvent>): Promise<HarnessEvent[]> {
  const out: HarnessEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers }, body });

const echo: TurnHandler = async function* (turn) {
  yield { type: 'status', message: 'thinking' };
  yield { type: 'text_delta', text: `echo ${turn.input}` };
};

const waitForAbort: TurnHandler = async function* (_turn, { signal }) {
  yield { type: 'status', message: 'waiting' };
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
};

describe('harness protocol server', () => {
  it('answers /healthz without auth and reveals only protocol, name and state', async () => {
    const base = await start(echo);
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', protocol: 'paddock.harness/v1', harness: 'test', bound: false, busy: false });
  });

  it('is unbound until POST /v1/bind, binds exactly once, then requires that token', async () => {
    const base = await start(echo);
    const before = await post(`${base}/v1/turns`, JSON.stringify(turnRequest()));
    expect(before.status).toBe(401);
    expect(((await before.json()) as { error: { message: string } }).error.message).toMatch(/not bound/);

    const short = await post(`${base}/v1/bind`, JSON.stringify({ token: 'short' }));
    expect(short.status).toBe(400);
    expect(await short.text()).toMatch(/token: a bind token has at least 32 characters/);

    await new HarnessClient(base).bind(TOKEN);
    const second = new HarnessClient(base).bind('b'.repeat(40));
    await expect(second).rejects.toMatchObject({ code: 'already_bound', status: 409 });

    const wrong = new HarnessClient(base, 'b'.repeat(40));
    await expect(collect(wrong.turn(turnRequest()))).rejects.toMatchObject({ code: 'unauthorized' });
    const events = await collect(new HarnessClient(base, TOKEN).turn(turnRequest()));
    expect(events.at(-1)).toEqual({ type: 'done', stopReason: 'end_turn' });
    expect((await new HarnessClient(base).health()).bound).toBe(true);
  });

  it('refuses a bind when started with a token', async () => {
    const base = await start(echo, { token: TOKEN });
    await expect(new HarnessClient(base).bind('c'.repeat(40))).rejects.toMatchObject({ code: 'already_bound' });
    const missing = await fetch(`${base}/v1/status`);
    expect(missing.status).toBe(401);
    expect(await new HarnessClient(base, TOKEN).status()).toEqual({ protocol: 'paddock.harness/v1', harness: 'test', busy: false, turn: null });
  });

  it('streams events with ids 1..n and appends exactly one done', async () => {
    const base = await start(echo, { token: TOKEN });
    const res = await post(`${base}/v1/turns`, JSON.stringify(turnRequest({ input: 'hi' })));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text).toBe(
      'id: 1\nevent: status\ndata: {"type":"status","message":"thinking"}\n\n' +
        'id: 2\nevent: text_delta\ndata: {"type":"text_delta","text":"echo hi"}\n\n' +
        'id: 3\nevent: done\ndata: {"type":"done","stopReason":"end_turn"}\n\n',
    );
  });

  it('turns a throwing handler into error + done(error), and drops events after done', async () => {
    const base = await start(
      async function* (turn) {
        if (turn.input === 'throw') throw new Error('cli exited with 2');
        yield { type: 'done', stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 2 } };
        yield { type: 'text_delta', text: 'too late' };
      },
      { token: TOKEN },
    );
    const client = new HarnessClient(base, TOKEN);
    expect(await collect(client.turn(turnRequest({ input: 'throw' })))).toEqual([
      { type: 'error', code: 'harness_failed', message: 'cli exited with 2', retryable: false },
      { type: 'done', stopReason: 'error' },
    ]);
    const raw = await (await post(`${base}/v1/turns`, JSON.stringify(turnRequest({ turn: 2 })))).text();
    expect(raw).not.toContain('too late');
    expect(raw.match(/event: done/g)).toHaveLength(1);
  });

  it('runs one turn at a time: a second turn is 409 busy', async () => {
    const base = await start(waitForAbort, { token: TOKEN });
    const client = new HarnessClient(base, TOKEN);
    const first = client.turn(turnRequest())[Symbol.asyncIterator]();
    expect((await first.next()).value).toEqual({ type: 'status', message: 'waiting' });
    await expect(collect(client.turn(turnRequest({ turn: 2 })))).rejects.toMatchObject({ code: 'busy', status: 409 });
    expect(await client.status()).toMatchObject({ busy: true, turn: { sessionId: 's1', turn: 1 } });
    expect(await client.abort({ sessionId: 'other' })).toBe(false);
    expect(await client.abort({ sessionId: 's1', turn: 1 })).toBe(true);
    expect((await first.next()).value).toEqual({ type: 'done', stopReason: 'aborted' });
    expect(await client.abort()).toBe(false);
    expect((await client.status()).busy).toBe(false);
  });

  it('ends an aborted turn after the grace period even when the handler ignores the signal', async () => {
    const base = await start(
      async function* () {
        yield { type: 'status', message: 'stuck' };
        await delay(60_000);
      },
      { token: TOKEN, abortGraceMs: 100 },
    );
    const client = new HarnessClient(base, TOKEN);
    const stream = client.turn(turnRequest())[Symbol.asyncIterator]();
    await stream.next();
    await client.abort();
    expect((await stream.next()).value).toEqual({ type: 'done', stopReason: 'aborted' });
    expect((await client.status()).busy).toBe(false);
  });

  it('aborts the handler when the caller hangs up, and frees the harness', async () => {
    let reason: unknown;
    const base = await start(
      async function* (_turn, { signal }) {
        yield { type: 'status', message: 'working' };
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        reason = signal.reason;
      },
      { token: TOKEN },
    );
    const controller = new AbortController();
    const client = new HarnessClient(base, TOKEN);
    const stream = client.turn(turnRequest(), controller.signal)[Symbol.asyncIterator]();
    await stream.next();
    controller.abort();
    await expect(stream.next()).rejects.toThrow();
    for (let i = 0; i < 50 && (await client.status()).busy; i++) await delay(20);
    expect((await client.status()).busy).toBe(false);
    expect(reason).toMatchObject({ kind: 'disconnected' });
  });

  it('rejects bad bodies with a 4xx naming the problem', async () => {
    const base = await start(echo, { token: TOKEN, maxBodyBytes: 1000 });
    const cases: Array<[string, Record<string, string>, number, RegExp]> = [
      ['{"sessionId":', {}, 400, /invalid_json/],
      ['[1,2]', {}, 400, /must be a JSON object/],
      [JSON.stringify({ ...turnRequest(), extra: 1 }), {}, 400, /unknown field \\"extra\\"/],
      [JSON.stringify({ ...turnRequest(), turn: 0 }), {}, 400, /turn: /],
      [JSON.stringify({ ...turnRequest(), history: [{ role: 'system', text: 'x' }] }), {}, 400, /history\[0\]\.role/],
      [JSON.stringify(turnRequest()), { 'content-type': 'text/plain' }, 415, /application\/json/],
      [JSON.stringify(turnRequest({ input: 'x'.repeat(2000) })), {}, 413, /limit is 1000 bytes/],
      ['', {}, 400, /empty/],
    ];
    for (const [body, headers, status, message] of cases) {
      const res = await post(`${base}/v1/turns`, body, headers);
      const text = await res.text();
      expect({ body: body.slice(0, 40), status: res.status }).toEqual({ body: body.slice(0, 40), status });
      expect(text).toMatch(message);
    }
    expect((await new HarnessClient(base).health()).busy).toBe(false);
  });

  it('answers 404 and 405 as JSON errors', async () => {
    const base = await start(echo, { token: TOKEN });
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /nope' } });
    const wrongMethod = await fetch(`${base}/v1/turns`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});

describe('harness protocol client', () => {
  let raw: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (raw ? raw.close(resolve) : resolve(undefined)));
    raw = undefined;
  });

  async function rawServer(body: string, ending: boolean | 'silent'): Promise<string> {
    raw = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(body);
      if (ending === 'silent') return; // neither more data nor an end: a vanished peer
      if (ending) setTimeout(() => res.destroy(), 50);
      else res.end();
    });
    await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  }

  it('reports a stream that ends before done as stream_ended, after the events it got', async () => {
    const base = await rawServer('id: 1\nevent: text_delta\ndata: {"type":"text_delta","text":"par"}\n\n', true);
    const seen: HarnessEvent[] = [];
    const error = await (async () => {
      for await (const e of new HarnessClient(base, TOKEN).turn(turnRequest())) seen.push(e);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ type: 'text_delta', text: 'par' }]);
    expect(error).toBeInstanceOf(HarnessCallError);
    expect(error).toMatchObject({ code: 'stream_ended' });
  });

  it('rejects events that break the protocol', async () => {
    const base = await rawServer('event: text_delta\ndata: {"type":"text_delta"}\n\n', false);
    await expect(collect(new HarnessClient(base, TOKEN).turn(turnRequest()))).rejects.toMatchObject({ code: 'protocol_error', message: expect.stringMatching(/text: /) });
  });

  it('refuses an answer far larger than any protocol answer, also an error body of a refused turn', async () => {
    raw = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'oops', message: 'x'.repeat(100_000) } }));
    });
    await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
    const client = new HarnessClient(`http://127.0.0.1:${(raw.address() as AddressInfo).port}`, TOKEN);
    await expect(client.status()).rejects.toMatchObject({ code: 'protocol_error', message: expect.stringMatching(/answered 500 with more than 65536 bytes/) });
    await expect(collect(client.turn(turnRequest()))).rejects.toMatchObject({ code: 'protocol_error' });
  });

  it('reuses one connection for consecutive turns, also when the caller stops reading at done', async () => {
    const harness = createHarnessServer({ harness: 'test', handleTurn: echo, token: TOKEN, log: () => undefined });
    servers.push(harness);
    let connections = 0;
    harness.server.on('connection', () => connections++);
    const { port } = await harness.listen(0, '127.0.0.1');
    const client = new HarnessClient(`http://127.0.0.1:${port}`, TOKEN);
    for (let turn = 1; turn <= 3; turn++) {
      for await (const event of client.turn(turnRequest({ turn }))) if (event.type === 'done') break;
      // the rest of the response (its end) arrives just after done; the runtime writes to
      // Postgres meanwhile, here we wait for it
      await delay(20);
      await client.status();
    }
    expect(await collect(client.turn(turnRequest({ turn: 4 })))).toEqual([{ type: 'status', message: 'thinking' }, { type: 'text_delta', text: 'echo hello' }, { type: 'done', stopReason: 'end_turn' }]);
    expect(connections).toBe(1);
  });

  it('sends a request again on a fresh connection when the harness closed the reused one', async () => {
    // a minimal HTTP/1.1 peer: answers the first request of a connection, and closes the
    // connection without answering when a second request arrives on it (the keep-alive race)
    let connections = 0;
    const peer = createNetServer((socket) => {
      connections++;
      let requests = 0;
      socket.on('data', () => {
        requests++;
        const body = JSON.stringify({ protocol: 'paddock.harness/v1', harness: 'peer', busy: false, turn: null });
        if (requests === 1) socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
        else socket.resetAndDestroy();
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    try {
      const client = new HarnessClient(`http://127.0.0.1:${(peer.address() as AddressInfo).port}`, TOKEN);
      expect(await client.status()).toMatchObject({ harness: 'peer' });
      expect(await client.status()).toMatchObject({ harness: 'peer' });
      expect(connections).toBe(2);
    } finally {
      peer.close();
    }
  });

  it('gives up on a turn stream that falls silent, as a broken stream', async () => {
    const base = await rawServer('id: 1\nevent: text_delta\ndata: {"type":"text_delta","text":"par"}\n\n', 'silent');
    const seen: HarnessEvent[] = [];
    const error = await (async () => {
      for await (const e of new HarnessClient(base, TOKEN, { streamIdleMs: 200 }).turn(turnRequest())) seen.push(e);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ type: 'text_delta', text: 'par' }]);
    expect(error).toMatchObject({ code: 'stream_ended', message: expect.stringMatching(/the harness sent nothing for 0.2 s/) });
  });

  it('refuses an endpoint that is not plain http', () => {
    expect(() => new HarnessClient('https://10.0.0.1:8080', TOKEN)).toThrow(/plain HTTP/);
  });

  it('reports an unreachable harness', async () => {
    await expect(new HarnessClient('http://127.0.0.1:1', TOKEN).status()).rejects.toMatchObject({ code: 'unreachable' });
  });
});
