/**
 * The scale benchmark's baseline: the least a service can do to take a user's message
 * durably and show it to the session's watcher, and nothing else. One node:http process (as
 * the runtime), a bearer token compared, the JSON body parsed, the message inserted with the
 * durable settings — group-committed: messages that arrive while a statement runs go together
 * in the next, at most two statements in flight on a pool of 20 (the runtime's pool size),
 * the fastest way measured (one INSERT per message: p99 ≈ 2.5× higher) — then written to the
 * session's SSE stream and `202` answered. No harness, no turn, no audit, no validation
 * beyond the text being a string: a lower bound for the runtime's "message accepted" and
 * "first agent event" figures on the same machine, in the same run.
 *
 *   DATABASE_URL=... PORT=... node --import tsx bench/support/accept-floor-process.ts
 * Prints `{"floor":{"url":...}}` on stdout once it listens.
 */
import { createServer, type ServerResponse } from 'node:http';
import pg from 'pg';
import { answer, authorized, readBody } from './floor-http.ts';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
await pool.query('CREATE TABLE IF NOT EXISTS floor_messages (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, session_id uuid NOT NULL, input text NOT NULL, at timestamptz NOT NULL DEFAULT now())');

interface Pending {
  readonly sessionId: string;
  readonly text: string;
  readonly done: (error: Error | undefined, seq?: number) => void;
}
const queue: Pending[] = [];
let inFlight = 0;
/** messages that arrive while a statement runs go together in the next one (at most two in flight) */
function insertBatched(sessionId: string, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    queue.push({ sessionId, text, done: (error, seq) => (error ? reject(error) : resolve(seq!)) });
    pump();
  });
}
function pump(): void {
  while (inFlight < 2 && queue.length > 0) {
    const batch = queue.splice(0, 1_000);
    inFlight++;
    pool
      .query<{ id: string }>('INSERT INTO floor_messages (session_id, input) SELECT * FROM unnest($1::uuid[], $2::text[]) ORDER BY 1 RETURNING id', [batch.map((p) => p.sessionId), batch.map((p) => p.text)])
      .then(
        ({ rows }) => batch.forEach((p, i) => p.done(undefined, Number(rows[i]!.id))),
        (error: Error) => batch.forEach((p) => p.done(error)),
      )
      .finally(() => {
        inFlight--;
        pump();
      });
  }
}

const watchers = new Map<string, ServerResponse>();




const route = /^\/v1\/sessions\/([0-9a-f-]{36})\/(messages|events)$/;
const server = createServer((req, res) => {
  if (req.url === '/healthz') return answer(res, 200, { status: 'ok' });
  const match = route.exec(req.url ?? '');
  if (!match) return answer(res, 404, { error: 'not_found' });
  if (!authorized(req)) return answer(res, 401, { error: 'unauthorized' });
  const [, sessionId, what] = match as unknown as [string, string, string];
  if (what === 'events' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.flushHeaders();
    watchers.set(sessionId, res);
    res.on('close', () => watchers.delete(sessionId));
    return;
  }
  if (what !== 'messages' || req.method !== 'POST') return answer(res, 405, { error: 'method_not_allowed' });
  readBody(req)
    .then(async (text) => {
      const body = JSON.parse(text) as { text?: unknown };
      if (typeof body.text !== 'string') return answer(res, 400, { error: 'invalid_body' });
      const seq = await insertBatched(sessionId, body.text);
      watchers.get(sessionId)?.write(`id: ${seq}\nevent: user_message\ndata: ${JSON.stringify({ type: 'user_message', turn: 2, seq, text: body.text })}\n\n`);
      answer(res, 202, { turn: { number: 2, state: 'queued' } });
    })
    .catch((error: Error) => answer(res, 500, { error: error.message }));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ floor: { url: `http://127.0.0.1:${port}` } })}\n`);
});
process.on('SIGTERM', () => {
  for (const res of watchers.values()) res.end();
  server.close();
  void pool.end().finally(() => process.exit(0));
});
