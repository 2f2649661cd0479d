/**
 * The scale benchmark's second baseline: the least a service can do for a user's message
 * to become an agent's first event on the user's stream, durably, and nothing else. One
 * node:http process (as the runtime) that, per message: compares the bearer token, parses the
 * JSON body, stores the message and its turn in one group-committed statement, shows the
 * message on the session's SSE stream, answers `202`, sends the turn to the session's sandbox
 * (`POST /v1/turns` of harness protocol v1, on a kept-alive connection to a bench-farm
 * sandbox claimed when the session was created), and for every event of the turn's stream:
 * stores it (group-committed) and writes it to the session's SSE stream. Group commit as in
 * accept-floor-process.ts: what arrives while a statement runs goes in the next, at most two
 * statements in flight per kind, pool of 20 (the runtime's size), durable settings.
 *
 * No lease, no sandbox check, no history, no audit, no tracing, no validation beyond the text
 * being a string, no recovery of anything: a lower bound for the runtime's "first agent event"
 * on the same machine, the same farm and the same load, in the same run.
 *
 *   DATABASE_URL=... FARM_URL=... node --import tsx bench/support/turn-floor-process.ts
 * Prints `{"floor":{"url":...}}` on stdout once it listens.
 *   POST /v1/sessions                    -> 201 {"session":{"id"}} (claims a farm sandbox)
 *   GET  /v1/sessions/:id/events         -> the session's SSE stream
 *   POST /v1/sessions/:id/messages       -> 202 {"turn":{"number","state"}}
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type ServerResponse } from 'node:http';
import pg from 'pg';
import { SseParser } from '../../harnesses/protocol/sse.ts';
import type { SandboxBinding } from '../../runtime/drivers/sandbox-driver.ts';
import { answer, authorized, readBody } from './floor-http.ts';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
await pool.query(`CREATE TABLE IF NOT EXISTS floor_turns (session_id uuid NOT NULL, turn int NOT NULL, input text NOT NULL, PRIMARY KEY (session_id, turn));
  CREATE TABLE IF NOT EXISTS floor_events (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, session_id uuid NOT NULL, turn int NOT NULL, type text NOT NULL, data jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())`);

/** Rows that arrive while a statement runs go together in the next (at most two in flight). */
class GroupCommit<Row> {
  private readonly queue: { row: Row; done: (error: Error | undefined, seq?: number) => void }[] = [];
  private inFlight = 0;
  constructor(private readonly statement: (rows: Row[]) => { text: string; values: unknown[] }) {}

  add(row: Row): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, done: (error, seq) => (error ? reject(error) : resolve(seq!)) });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < 2 && this.queue.length > 0) {
      const batch = this.queue.splice(0, 1_000);
      this.inFlight++;
      pool
        .query<{ seq: string }>(this.statement(batch.map((p) => p.row)))
        .then(
          ({ rows }) => batch.forEach((p, i) => p.done(undefined, Number(rows[i]!.seq))),
          (error: Error) => batch.forEach((p) => p.done(error)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

interface EventRow {
  readonly sessionId: string;
  readonly turn: number;
  readonly type: string;
  readonly data: string;
}
// a message is its turn's row and its event, in one statement
const messages = new GroupCommit<{ sessionId: string; turn: number; text: string }>((rows) => ({
  text: `WITH m AS (SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[]) AS m(session_id, turn, input)),
          t AS (INSERT INTO floor_turns (session_id, turn, input) SELECT session_id, turn, input FROM m)
        INSERT INTO floor_events (session_id, turn, type, data) SELECT session_id, turn, 'user_message', jsonb_build_object('text', input) FROM m RETURNING seq`,
  values: [rows.map((r) => r.sessionId), rows.map((r) => r.turn), rows.map((r) => r.text)],
}));
const events = new GroupCommit<EventRow>((rows) => ({
  text: 'INSERT INTO floor_events (session_id, turn, type, data) SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::jsonb[]) RETURNING seq',
  values: [rows.map((r) => r.sessionId), rows.map((r) => r.turn), rows.map((r) => r.type), rows.map((r) => r.data)],
}));

interface Session {
  readonly binding: SandboxBinding;
  turn: number;
  watcher?: ServerResponse;
}
const sessions = new Map<string, Session>();
const sandboxAgent = new Agent({ keepAlive: true, maxSockets: 4 });
const farmUrl = process.env.FARM_URL!;

function show(session: Session, seq: number, event: Record<string, unknown>): void {
  session.watcher?.write(`id: ${seq}\nevent: ${String(event.type)}\ndata: ${JSON.stringify({ ...event, seq })}\n\n`);
}

/** The floor's own failure, shown as `floor_failed` (not an agent event: the bench counts the turn as failed). */
function floorFailed(session: Session, turn: number, message: string): void {
  session.watcher?.write(`event: floor_failed\ndata: ${JSON.stringify({ type: 'floor_failed', turn, seq: 0, message })}\n\n`);
}

/** Sends the turn to the session's sandbox; stores and shows each event of its stream in order. */
function dispatch(sessionId: string, session: Session, turn: number, input: string): void {
  const url = new URL(session.binding.endpoint);
  const payload = JSON.stringify({ sessionId, turn, input, history: [] });
  const req = request({ agent: sandboxAgent, host: url.hostname, port: url.port, method: 'POST', path: '/v1/turns', headers: { authorization: `Bearer ${session.binding.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
    const parser = new SseParser();
    let stored = Promise.resolve();
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      for (const message of parser.push(chunk)) {
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(message.data) as Record<string, unknown>;
        } catch {
          floorFailed(session, turn, `the harness sent an event that is not JSON: ${message.data.slice(0, 80)}`);
          continue;
        }
        // a session's events are stored in stream order (each once the one before it is
        // committed: two statements in flight could commit them the other way round), each
        // shown once it is committed
        stored = stored.then(() => events.add({ sessionId, turn, type: message.event, data: message.data })).then(
          (seq) => show(session, seq, { ...event, turn }),
          (error: Error) => floorFailed(session, turn, `storing an event failed: ${error.message}`),
        );
      }
    });
  });
  req.on('error', (error) => floorFailed(session, turn, `the turn request failed: ${error.message}`));
  req.end(payload);
}

async function claimSandbox(): Promise<SandboxBinding> {
  const res = await fetch(`${farmUrl}/sandboxes`, { method: 'POST' });
  if (res.status !== 201) throw new Error(`the sandbox farm answered ${res.status}`);
  return ((await res.json()) as { binding: SandboxBinding }).binding;
}

const route = /^\/v1\/sessions\/([0-9a-f-]{36})\/(messages|events)$/;
const server = createServer((req, res) => {
  if (req.url === '/healthz') return answer(res, 200, { status: 'ok' });
  if (!authorized(req)) return answer(res, 401, { error: 'unauthorized' });
  if (req.url === '/v1/sessions' && req.method === 'POST') {
    req.resume();
    claimSandbox().then(
      (binding) => {
        const id = randomUUID();
        sessions.set(id, { binding, turn: 0 });
        answer(res, 201, { session: { id } });
      },
      (error: Error) => answer(res, 503, { error: error.message }),
    );
    return;
  }
  const match = route.exec(req.url ?? '');
  const session = match ? sessions.get(match[1]!) : undefined;
  if (!match || !session) return answer(res, 404, { error: 'not_found' });
  const sessionId = match[1]!;
  if (match[2] === 'events' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.flushHeaders();
    session.watcher = res;
    res.on('close', () => session.watcher === res && (session.watcher = undefined));
    return;
  }
  if (match[2] !== 'messages' || req.method !== 'POST') return answer(res, 405, { error: 'method_not_allowed' });
  readBody(req)
    .then(async (text) => {
      const body = JSON.parse(text) as { text?: unknown };
      if (typeof body.text !== 'string') return answer(res, 400, { error: 'invalid_body' });
      const turn = ++session.turn;
      const seq = await messages.add({ sessionId, turn, text: body.text });
      show(session, seq, { type: 'user_message', turn, text: body.text });
      answer(res, 202, { turn: { number: turn, state: 'running' } });
      dispatch(sessionId, session, turn, body.text);
    })
    .catch((error: Error) => answer(res, 500, { error: error.message }));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ floor: { url: `http://127.0.0.1:${port}` } })}\n`);
});
process.on('SIGTERM', () => {
  for (const session of sessions.values()) session.watcher?.end();
  server.close();
  sandboxAgent.destroy();
  void pool.end().finally(() => process.exit(0));
});
