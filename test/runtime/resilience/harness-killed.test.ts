/** A sandbox that dies (killed between turns, or crashing mid-turn) is replaced and handed the history. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, textOf, TOKENS, type TestRuntime } from '../support/runtime.ts';

let pg: TestPostgres;
let rt: TestRuntime;
let api: Api;
beforeAll(async () => {
  pg = await startTestPostgres();
  rt = await startTestRuntime(await pg.createDatabase());
  api = new Api(rt.url, TOKENS.alpha);
});
afterAll(async () => {
  await rt?.close();
  await pg?.stop();
});

async function sandboxPid(sessionId: string): Promise<number> {
  const pids = rt.driver.pids;
  expect(pids.length).toBeGreaterThan(0);
  const res = await api.request('GET', `/v1/sessions/${sessionId}`);
  expect(res.status).toBe(200);
  return pids.at(-1)!;
}

describe('harness process killed', () => {
  it('between turns: the next turn gets a new sandbox and the whole history', async () => {
    const id = await api.createSession();
    const first = await api.waitForDone(id, await api.send(id, 'remember the word paddock'));
    expect(first.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
    const pid = await sandboxPid(id);
    process.kill(-pid, 'SIGKILL');
    for (let i = 0; i < 100 && rt.driver.pids.includes(pid); i++) await new Promise((r) => setTimeout(r, 20));

    const second = await api.waitForDone(id, await api.send(id, '/recall'));
    expect(second.map((e) => e.type)).toEqual(expect.arrayContaining(['sandbox', 'turn_started', 'done']));
    const sandboxEvents = second.filter((e) => e.type === 'sandbox');
    expect(sandboxEvents).toEqual([
      expect.objectContaining({ action: 'lost', generation: 1, reason: expect.stringMatching(/no longer exists|does not answer/) }),
      expect.objectContaining({ action: 'acquired', generation: 2 }),
    ]);
    expect(textOf(second)).toBe('I remember 2 messages: user: remember the word paddock | assistant: I heard: remember the word paddock (turn 1, 0 history messages)');
    expect(second.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
    const session = await api.request('GET', `/v1/sessions/${id}`);
    expect(session.body.session).toMatchObject({ state: 'active', sandboxGeneration: 2, turns: 2 });
  });

  it('mid-turn (/crash): the turn fails as sandbox_lost keeping its partial output; the next turn resumes with it', async () => {
    const id = await api.createSession();
    await api.waitForDone(id, await api.send(id, 'first'));
    const crashed = await api.waitForDone(id, await api.send(id, '/crash going down'));
    expect(textOf(crashed)).toBe('I ');
    expect(crashed.slice(-3)).toEqual([
      expect.objectContaining({ type: 'sandbox', action: 'lost', generation: 1 }),
      expect.objectContaining({ type: 'error', code: 'sandbox_lost', retryable: true, message: expect.stringMatching(/the next message gets a new sandbox/) }),
      expect.objectContaining({ type: 'done', stopReason: 'error' }),
    ]);
    const next = await api.waitForDone(id, await api.send(id, 'still there?'));
    expect(next.find((e) => e.type === 'sandbox')).toMatchObject({ action: 'acquired', generation: 2 });
    // turn 1 (2 messages) + the crashed turn's input and partial output (2 messages)
    expect(textOf(next)).toBe('I heard: still there? (turn 3, 4 history messages)');
    const turns = await api.request('GET', `/v1/sessions/${id}`);
    expect(turns.body.session.state).toBe('active');
  });
});
