/**
 * Postgres stopped and started again under load, with the runtime as a real process: requests
 * answer 503 + Retry-After (never 500), the process does not crash, a turn streaming during
 * the outage completes with every event in order, and service recovers by itself.
 */
import { rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, runtimeProcessFiles, spawnRuntime, textOf, TOKENS, type RuntimeProcess, type RuntimeProcessFiles } from '../support/runtime.ts';

let server: TestPostgres;
let files: RuntimeProcessFiles;
let runtime: RuntimeProcess | undefined;

beforeAll(async () => {
  server = await startTestPostgres();
  files = runtimeProcessFiles(await server.createDatabase());
});
afterAll(async () => {
  if (runtime && runtime.child.exitCode === null) {
    runtime.child.kill('SIGTERM');
    await runtime.exited;
  }
  await server?.stop();
  if (files) rmSync(files.dir, { recursive: true, force: true });
});

interface Outcome {
  status: number;
  retryAfter: string | null;
  code: string | undefined;
}

it('answers 503 + Retry-After while Postgres is down and recovers on its own', async () => {
  runtime = await spawnRuntime(files.env);
  await runtime.waitReady();
  const api = new Api(runtime.url, TOKENS.alpha);
  const id = await api.createSession();
  await api.waitForDone(id, await api.send(id, 'warm up'));

  const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
  const slowTurn = await api.send(id, `/slow 100 ${words}`);
  const stream = api.sse(id, { after: 0, until: (e) => e.type === 'done' && e.turn === slowTurn, timeoutMs: 60_000 });

  const outcomes: Outcome[] = [];
  let loading = true;
  const load = Array.from({ length: 4 }, (_, worker) =>
    (async () => {
      for (let i = 0; loading; i++) {
        const res =
          worker === 0 && i % 5 === 0
            ? await api.request('POST', '/v1/sessions', { harness: 'scripted', title: `load ${i}` })
            : await api.request('GET', worker % 2 ? `/v1/sessions/${id}` : '/v1/sessions?limit=5');
        outcomes.push({ status: res.status, retryAfter: res.headers.get('retry-after'), code: (res.body as { error?: { code?: string } })?.error?.code });
        await delay(20);
      }
    })(),
  );

  await delay(500);
  await server.pause();
  const downAt = outcomes.length;
  await delay(2_500);
  const readyWhileDown = await fetch(`${runtime.url}/readyz`);
  expect(readyWhileDown.status).toBe(503);
  expect(readyWhileDown.headers.get('retry-after')).toBe('2');
  expect((await fetch(`${runtime.url}/healthz`)).status).toBe(200);
  await server.resume();

  // recovers without anyone touching the runtime
  const deadline = Date.now() + 20_000;
  while ((await fetch(`${runtime.url}/readyz`)).status !== 200) {
    expect(Date.now()).toBeLessThan(deadline);
    await delay(100);
  }
  const recoveredAt = outcomes.length;
  await delay(500);
  loading = false;
  await Promise.all(load);

  const duringOutage = outcomes.slice(downAt, recoveredAt);
  expect(duringOutage.filter((o) => o.status === 503).length).toBeGreaterThan(5);
  for (const o of outcomes) {
    if (o.status >= 300) expect(o).toEqual({ status: 503, retryAfter: '2', code: expect.stringMatching(/^(database_unavailable|not_ready)$/) });
  }
  expect(outcomes.slice(-5).every((o) => o.status < 300)).toBe(true);
  expect(runtime.child.exitCode).toBe(null);

  // the turn that streamed through the outage is complete and in order
  const streamed = await stream;
  const slow = streamed.events.filter((e) => e.turn === slowTurn);
  expect(textOf(slow)).toBe(`I heard: ${words} (turn 2, 2 history messages)`);
  expect(slow.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
  expect(streamed.events.map((e) => e.seq)).toEqual(streamed.events.map((_, i) => i + 1));
  const stored = await api.events(id);
  expect(stored.filter((e) => e.seq <= streamed.events.at(-1).seq)).toEqual(streamed.events);

  // and new work goes through
  const after = await api.waitForDone(id, await api.send(id, 'after the outage'));
  expect(after.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
  expect(runtime.output()).not.toMatch(/"level":"error"/);
});
