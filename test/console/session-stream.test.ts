/**
 * The console's event stream (console/src/session-stream.ts) against a real runtime: every
 * event exactly once and in order, across a cut network, a runtime restart on the same
 * database, and a server that replays what was already seen; a wrong token stops it with the
 * message a person needs.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSse } from '../../harnesses/protocol/sse.ts';
import { TOKEN_REJECTED } from '../../console/src/api.ts';
import { emptyLog } from '../../console/src/event-log.ts';
import type { WireEvent } from '../../console/src/events.ts';
import { followSession, type Follower, type StreamStatus } from '../../console/src/session-stream.ts';
import { startTestPostgres, type TestPostgres } from '../runtime/support/postgres.ts';
import { Api, startTestRuntime, TOKENS, type TestRuntime } from '../runtime/support/runtime.ts';

/** a TCP proxy whose connections can all be cut at once (a network drop) */
async function startProxy(targetPort: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface Collected {
  readonly follower: Follower;
  readonly events: WireEvent[];
  readonly statuses: StreamStatus[];
  until(predicate: (events: readonly WireEvent[]) => boolean, timeoutMs?: number): Promise<void>;
}

function collect(base: string, sessionId: string, token: string = TOKENS.alpha, idleTimeoutMs?: number): Collected {
  const events: WireEvent[] = [];
  const statuses: StreamStatus[] = [];
  const follower = followSession({
    base,
    sessionId,
    token,
    log: emptyLog,
    onEvents: (batch) => events.push(...batch),
    onStatus: (status) => statuses.push(status),
    backoffMs: () => 100,
    ...(idleTimeoutMs ? { idleTimeoutMs } : {}),
  });
  return {
    follower,
    events,
    statuses,
    async until(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error(`timed out; last events: ${JSON.stringify(events.slice(-3))}; statuses: ${JSON.stringify(statuses.slice(-3))}`);
        await delay(20);
      }
    },
  };
}

const seqs = (events: readonly { seq: number }[]) => events.map((e) => e.seq);
const doneOf = (turn: number) => (events: readonly WireEvent[]) => events.some((e) => e.type === 'done' && e.turn === turn);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

let pg: TestPostgres;
let database: string;
let rt: TestRuntime;
let alpha: Api;
beforeAll(async () => {
  pg = await startTestPostgres();
  database = await pg.createDatabase();
  rt = await startTestRuntime(database);
  alpha = new Api(rt.url, TOKENS.alpha);
});
afterAll(async () => {
  await rt?.close();
  await pg?.stop();
});

describe('followSession', () => {
  it('delivers a live session, tool call included, exactly as the event log holds it', async () => {
    const id = await alpha.createSession();
    const stream = collect(rt.url, id);
    try {
      await alpha.send(id, '/tool hello');
      await stream.until(doneOf(1));
      const stored = await alpha.events(id);
      expect(seqs(stream.events)).toEqual(seqs(stored));
      expect(stream.events).toEqual(stored);
      expect(stream.events.map((e) => e.type)).toEqual(expect.arrayContaining(['user_message', 'turn_started', 'tool_call', 'tool_result', 'text_delta', 'done']));
      expect(stream.statuses[0]).toEqual({ kind: 'connecting' });
      expect(stream.statuses).toContainEqual({ kind: 'live' });
    } finally {
      stream.follower.close();
    }
  });

  it('resumes after the network is cut mid-turn, from the last event seen: nothing twice, nothing missing', async () => {
    const proxy = await startProxy(Number(new URL(rt.url).port));
    const id = await alpha.createSession();
    const stream = collect(`http://127.0.0.1:${proxy.port}`, id);
    try {
      await alpha.send(id, '/slow 150 one two three four five six seven eight nine ten');
      await stream.until((events) => events.filter((e) => e.type === 'text_delta').length >= 2);
      proxy.cut();
      await stream.until(doneOf(1));
      await alpha.send(id, 'and again');
      await stream.until(doneOf(2));
      const stored = await alpha.events(id);
      expect(seqs(stream.events)).toEqual(oneToN(stored.length));
      expect(stream.events).toEqual(stored);
      expect(stream.follower.stats.connections).toBeGreaterThanOrEqual(2);
      expect(stream.statuses.some((s) => s.kind === 'reconnecting')).toBe(true);
    } finally {
      stream.follower.close();
      await proxy.close();
    }
  });

  it('goes on after the runtime restarts on the same database, and stops at the end of the session', async () => {
    const id = await alpha.createSession();
    const port = Number(new URL(rt.url).port);
    const stream = collect(rt.url, id);
    try {
      await alpha.send(id, 'before the restart');
      await stream.until(doneOf(1));
      await rt.close();
      rt = await startTestRuntime(database, { port });
      await alpha.send(id, 'after the restart');
      await stream.until(doneOf(2));
      const ended = await alpha.request('DELETE', `/v1/sessions/${id}`);
      expect(ended.status).toBe(200);
      await stream.until((events) => events.some((e) => e.type === 'session_ended'));
      const stored = await alpha.events(id);
      expect(stream.events).toEqual(stored);
      expect(seqs(stream.events)).toEqual(oneToN(stored.length));
      await stream.until(() => stream.statuses.at(-1)?.kind === 'ended');
      expect(stream.follower.stats.connections).toBeGreaterThanOrEqual(2);
    } finally {
      stream.follower.close();
    }
  });

  it('stops with "That API token was not accepted" for a wrong token, and with the API error for another team', async () => {
    const id = await alpha.createSession();
    const wrong = collect(rt.url, id, 'pdk_not-a-token-000000000000000000000000000');
    const otherTeam = collect(rt.url, id, TOKENS.beta);
    try {
      await wrong.until(() => wrong.statuses.at(-1)?.kind === 'failed');
      expect(wrong.statuses.at(-1)).toEqual({ kind: 'failed', code: 'unauthorized', message: TOKEN_REJECTED });
      await otherTeam.until(() => otherTeam.statuses.at(-1)?.kind === 'failed');
      expect(otherTeam.statuses.at(-1)).toMatchObject({ kind: 'failed', code: 'session_not_found' });
      expect(wrong.events).toEqual([]);
      expect(otherTeam.events).toEqual([]);
    } finally {
      wrong.follower.close();
      otherTeam.follower.close();
    }
  });
});

describe('followSession against a misbehaving server', () => {
  const at = '2026-12-04T12:00:00.000Z';
  const event = (seq: number): WireEvent => ({ seq, turn: 1, type: 'text_delta', text: `d${seq} `, createdAt: at });
  let server: HttpServer;
  let base: string;
  const afters: string[] = [];
  let mode: 'replay-from-start' | 'silent' | 'garbage' = 'replay-from-start';

  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      const after = new URL(req.url ?? '/', 'http://x').searchParams.get('after') ?? '';
      afters.push(after);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (mode === 'silent') return; // headers, then nothing: a dead connection
      if (mode === 'garbage') {
        res.end(`${encodeSse(1, 'text_delta', event(1))}id: 2\nevent: text_delta\ndata: {not json\n\n`);
        return;
      }
      // ignores `after`: always replays from seq 1, three more each time, then hangs up;
      // the fourth connection also skips seq 11 (a gap) and the fifth ends the session
      const connection = afters.length;
      const upTo = Math.min(3 * connection, 12);
      for (let seq = 1; seq <= upTo; seq++) if (!(connection === 4 && seq === 11)) res.write(encodeSse(seq, 'text_delta', event(seq)));
      if (connection >= 5) res.write(encodeSse(13, 'session_ended', { seq: 13, turn: null, type: 'session_ended', state: 'ended', createdAt: at }));
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('drops replayed events, restarts at a gap, and asks each time for what it has not seen', async () => {
    afters.length = 0;
    mode = 'replay-from-start';
    const stream = collect(base, '3f1c2a7e-1d2b-4c5d-8e9f-0a1b2c3d4e5f');
    try {
      await stream.until(() => stream.statuses.at(-1)?.kind === 'ended');
      expect(seqs(stream.events)).toEqual(oneToN(13));
      expect(afters).toEqual(['0', '3', '6', '9', '10']);
      expect(stream.follower.stats.duplicates).toBeGreaterThan(0);
      expect(stream.follower.stats.gaps).toBe(1);
    } finally {
      stream.follower.close();
    }
  });

  it('stops, saying so, at an event it cannot read (instead of reading it again forever)', async () => {
    afters.length = 0;
    mode = 'garbage';
    const stream = collect(base, '3f1c2a7e-1d2b-4c5d-8e9f-0a1b2c3d4e5f');
    try {
      await stream.until(() => stream.statuses.at(-1)?.kind === 'failed', 5_000);
      expect(stream.statuses.at(-1)).toMatchObject({ kind: 'failed', code: 'unreadable_event', message: expect.stringMatching(/^the stream sent an event after seq 1 that cannot be read/) });
      expect(seqs(stream.events)).toEqual([1]);
      expect(afters).toEqual(['0']);
    } finally {
      stream.follower.close();
    }
  });

  it('replaces a connection that has gone quiet', async () => {
    afters.length = 0;
    mode = 'silent';
    const stream = collect(base, '3f1c2a7e-1d2b-4c5d-8e9f-0a1b2c3d4e5f', TOKENS.alpha, 200);
    try {
      await stream.until(() => afters.length >= 3, 5_000);
      expect(stream.statuses).toContainEqual({ kind: 'reconnecting', reason: 'the connection went quiet', inMs: 100 });
    } finally {
      stream.follower.close();
    }
  });
});
