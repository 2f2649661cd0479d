/**
 * Postgres crashing, not stopping: with durable settings (fsync and synchronous_commit on, as in
 * production), the whole server is SIGKILLed in the middle of a streaming turn and started again
 * on the same data dir and port. Every event any client received before, during or after the
 * crash (from the JSON pages and from an SSE stream) is in the database afterwards, unchanged
 * and gap-free; the turn finishes and the session takes a new message.
 */
import { rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventToJson } from '../../../runtime/session-events.ts';
import { listEvents } from '../../../runtime/store/events.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, runtimeProcessFiles, spawnRuntime, textOf, TOKENS, type RuntimeProcess, type RuntimeProcessFiles } from '../support/runtime.ts';

let server: TestPostgres;
let files: RuntimeProcessFiles;
let databaseUrl: string;
let runtime: RuntimeProcess | undefined;

beforeAll(async () => {
  server = await startTestPostgres({ durable: true });
  databaseUrl = await server.createDatabase();
  files = runtimeProcessFiles(databaseUrl);
});
afterAll(async () => {
  if (runtime && runtime.child.exitCode === null) {
    runtime.child.kill('SIGTERM');
    await runtime.exited;
  }
  await server?.stop();
  if (files) rmSync(files.dir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * JSON with object keys sorted: events streamed live keep the harness's key order, events read
 * back from jsonb come in jsonb's; the content is what must not change.
 */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

/** Every event a client was shown, by seq; a seq shown twice with different content is recorded. */
class Seen {
  readonly bySeq = new Map<number, string>();
  readonly conflicts: string[] = [];

  add(source: string, event: { seq: number }): void {
    const json = canonical(event);
    const before = this.bySeq.get(event.seq);
    if (before === undefined) this.bySeq.set(event.seq, json);
    else if (before !== json) this.conflicts.push(`${source} seq ${event.seq}: ${json} after ${before}`);
  }
}

it('SIGKILL of Postgres mid-stream: every event a client saw is in the database unchanged, and the session goes on', async () => {
  const settings = await query<{ name: string; setting: string }>("SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name");
  expect(settings).toEqual([
    { name: 'fsync', setting: 'on' },
    { name: 'full_page_writes', setting: 'on' },
    { name: 'synchronous_commit', setting: 'on' },
  ]);

  runtime = await spawnRuntime(files.env);
  await runtime.waitReady();
  const api = new Api(runtime.url, TOKENS.alpha);
  const id = await api.createSession();
  await api.waitForDone(id, await api.send(id, 'warm up'));

  const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
  const slowTurn = await api.send(id, `/slow 60 ${words}`);
  const seen = new Seen();
  const sseSeqs: number[] = [];
  const jsonSeqs = new Set<number>();
  let deltasBeforeCrash = 0;
  let crashed = false;

  // a JSON reader paging the whole log, and an SSE reader that reconnects from its cursor
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const res = await api.request<{ events: { seq: number }[] }>('GET', `/v1/sessions/${id}/events?after=0&limit=1000`).catch(() => undefined);
      if (res?.status === 200) {
        for (const event of res.body.events) {
          seen.add('json', event);
          jsonSeqs.add(event.seq);
        }
      }
      await delay(25);
    }
  })();
  const streamed = (async () => {
    for (let reconnects = 0; reconnects < 50; reconnects++) {
      const after = sseSeqs.at(-1) ?? 0;
      const part = await api
        .sse(id, {
          after,
          timeoutMs: 60_000,
          until: (e) => e.turn === slowTurn && e.type === 'done',
          onEvent: (e) => {
            seen.add('sse', e);
            sseSeqs.push(e.seq);
            if (e.turn === slowTurn && e.type === 'text_delta' && !crashed) deltasBeforeCrash++;
          },
        })
        .catch(() => ({ events: [], ended: true }));
      if (part.events.some((e) => e.turn === slowTurn && e.type === 'done')) return;
      await delay(100);
    }
    throw new Error('the SSE stream never reached the end of the turn');
  })();

  const deadline = Date.now() + 20_000;
  while (deltasBeforeCrash < 8) {
    expect(Date.now(), 'deltas streamed before the crash').toBeLessThan(deadline);
    await delay(10);
  }
  crashed = true;
  await server.crash();
  await delay(1_000);
  await server.resume();

  await streamed;
  polling = false;
  await poller;

  // what the clients saw: never two versions of a seq, an unbroken prefix of the log from both readers
  expect(seen.conflicts).toEqual([]);
  expect(sseSeqs).toEqual(sseSeqs.map((_, i) => i + 1));
  expect(jsonSeqs.size).toBeGreaterThan(deltasBeforeCrash);

  // the database (read directly, not through the runtime) holds every one of them, unchanged
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const stored = await listEvents(pool, id, 0, 10_000).finally(() => pool.end());
  const storedJson = new Map(stored.map((e) => [e.seq, canonical(eventToJson(e))]));
  expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
  for (const [seq, json] of seen.bySeq) expect(storedJson.get(seq), `seq ${seq}`).toBe(json);

  // the turn streamed through the crash is whole, and the session goes on
  const slow = stored.filter((e) => e.turn === slowTurn).map(eventToJson);
  expect(textOf(slow)).toBe(`I heard: ${words} (turn 2, 2 history messages)`);
  expect(slow.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
  expect(slow.filter((e) => e.type === 'done')).toHaveLength(1);
  const after = await api.waitForDone(id, await api.send(id, 'after the crash'), 30_000);
  expect(after.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
  expect(runtime.child.exitCode).toBe(null);

  // the crash was real: the restarted server had to recover from it
  expect(server.log()).toMatch(/database system was interrupted|was not properly shut down; automatic recovery in progress/);
});
