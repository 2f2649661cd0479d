/**
 * The runtime as a real process (runtime/main.ts, local driver), killed with SIGKILL in the
 * middle of a streaming turn and started again: no acknowledged event is lost, the in-flight
 * turn is reported interrupted, the queued one runs, the sandbox is re-attached.
 */
import { rmSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, killProcessGroups, runtimeProcessFiles, spawnRuntime, textOf, TOKENS, type RuntimeProcess, type RuntimeProcessFiles } from '../support/runtime.ts';

let server: TestPostgres;
let files: RuntimeProcessFiles;
let databaseUrl: string;
const processes: RuntimeProcess[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
  databaseUrl = await server.createDatabase();
  files = runtimeProcessFiles(databaseUrl);
});

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  // harness processes outlive a SIGKILLed runtime by design (re-attach): end them here
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect().catch(() => undefined);
  const pids = await db.query<{ sandbox_name: string }>('SELECT sandbox_name FROM sandbox_bindings UNION SELECT sandbox_name FROM sandbox_releases').then((r) => r.rows.map((row) => Number(row.sandbox_name)), () => []);
  await db.end().catch(() => undefined);
  killProcessGroups(pids);
  await server?.stop();
  if (files) rmSync(files.dir, { recursive: true, force: true });
});

async function start(): Promise<RuntimeProcess> {
  const runtime = await spawnRuntime(files.env);
  processes.push(runtime);
  await runtime.waitReady();
  return runtime;
}

describe('runtime restarts', () => {
  it('SIGKILL mid-stream, then restart: acknowledged events kept, turn interrupted, queued turn runs, sandbox re-attached', async () => {
    const first = await start();
    let api = new Api(first.url, TOKENS.alpha);
    const id = await api.createSession();
    await api.waitForDone(id, await api.send(id, 'warm up'));

    const streaming = await api.send(id, '/slow 150 one two three four five six seven eight nine ten eleven twelve');
    const queued = await api.send(id, 'queued behind it');
    const acknowledged = await api.sse(id, { after: 0, until: (e) => e.turn === streaming && e.type === 'text_delta' && e.text.startsWith('three') });
    expect(acknowledged.ended).toBe(false);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);

    const second = await start();
    api = new Api(second.url, TOKENS.alpha);
    const interrupted = await api.waitForDone(id, streaming);
    const all = await api.events(id);

    // every event a client saw before the crash is still there, unchanged, at the same seq
    for (const seen of acknowledged.events) expect(all.find((e) => e.seq === seen.seq)).toEqual(seen);
    // seq is gap-free and unique
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    // the in-flight turn is reported, not silently re-run
    expect(interrupted.slice(-2)).toEqual([
      expect.objectContaining({ type: 'error', code: 'interrupted', retryable: true }),
      expect.objectContaining({ type: 'done', stopReason: 'error' }),
    ]);
    expect(interrupted.filter((e) => e.type === 'turn_started')).toHaveLength(1);
    const partial = textOf(interrupted);
    expect(partial.startsWith('I heard: one two three')).toBe(true);

    // the queued turn runs after restart, on the same (re-attached) sandbox, with the partial answer in its history
    const after = await api.waitForDone(id, queued);
    expect(after.filter((e) => e.type === 'sandbox')).toEqual([]);
    expect(textOf(after)).toBe('I heard: queued behind it (turn 3, 4 history messages)');
    const recall = await api.waitForDone(id, await api.send(id, '/recall'));
    expect(textOf(recall)).toContain(`assistant: ${partial} | user: queued behind it`);

    // a client resuming with Last-Event-ID gets exactly what it missed
    const lastSeen = acknowledged.ids.at(-1)!;
    const resumed = await api.sse(id, { lastEventId: lastSeen, until: (e) => e.type === 'done' && e.turn === 4 });
    expect(resumed.events.map((e) => e.seq)).toEqual(resumed.events.map((_, i) => Number(lastSeen) + 1 + i));
    expect(resumed.events.at(-1)).toMatchObject({ type: 'done', turn: 4, stopReason: 'end_turn' });

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('SIGTERM lets a running turn finish before exiting', async () => {
    const runtime = await start();
    const api = new Api(runtime.url, TOKENS.beta);
    const id = await api.createSession();
    const turn = await api.send(id, '/slow 100 a b c d e f');
    await api.sse(id, { until: (e) => e.type === 'text_delta' });
    runtime.child.kill('SIGTERM');
    expect(await runtime.exited).toBe(0);
    expect(runtime.output()).toMatch(/waiting for running turns to finish/);

    const next = await start();
    const events = await new Api(next.url, TOKENS.beta).waitForDone(id, turn);
    expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
    expect(textOf(events)).toBe('I heard: a b c d e f (turn 1, 0 history messages)');
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  });
});

describe('rolling replacement', () => {
  it('another replica takes over the turns of a replica that died once their lease expires', async () => {
    const dying = await spawnRuntime({ ...files.env, POD_NAME: 'replica-old', PADDOCK_LEASE_SECONDS: '1.5' });
    processes.push(dying);
    await dying.waitReady();
    const api = new Api(dying.url, TOKENS.alpha);
    const id = await api.createSession();
    const turn = await api.send(id, '/slow 200 a b c d e f g h');
    await api.sse(id, { until: (e) => e.type === 'text_delta' });
    dying.child.kill('SIGKILL');
    await dying.exited;

    const successor = await spawnRuntime({ ...files.env, POD_NAME: 'replica-new', PADDOCK_LEASE_SECONDS: '1.5' });
    processes.push(successor);
    await successor.waitReady();
    const api2 = new Api(successor.url, TOKENS.alpha);
    const events = await api2.waitForDone(id, turn, 20_000);
    expect(events.slice(-2)).toEqual([expect.objectContaining({ type: 'error', code: 'interrupted' }), expect.objectContaining({ type: 'done' })]);
    const next = await api2.waitForDone(id, await api2.send(id, 'carry on'));
    expect(next.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
    successor.child.kill('SIGTERM');
    expect(await successor.exited).toBe(0);
  });
});
