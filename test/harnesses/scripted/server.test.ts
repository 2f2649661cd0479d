/** The scripted harness as a real process, spoken to over real HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';
import { HarnessClient } from '../../../harnesses/protocol/client.ts';
import type { HarnessEvent, TurnRequest } from '../../../harnesses/protocol/types.ts';
import { harnessDir } from '../../../harnesses/registry.ts';

const TOKEN = 't'.repeat(48);
let children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children = [];
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startScripted(token?: string): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: harnessDir('scripted'),
    env: { PATH: process.env.PATH, PADDOCK_HARNESS_PORT: String(port), PADDOCK_HARNESS_HOST: '127.0.0.1', ...(token ? { PADDOCK_SANDBOX_TOKEN: token } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(JSON.parse(line.toString())).toEqual({ listening: { harness: 'scripted', host: '127.0.0.1', port, bound: Boolean(token) } });
  return { base: `http://127.0.0.1:${port}`, child };
}

const request = (input: string, turn = 1, history: TurnRequest['history'] = []): TurnRequest => ({ sessionId: 'sess-1', turn, input, history });

async function collect(events: AsyncIterable<HarnessEvent>): Promise<HarnessEvent[]> {
  const out: HarnessEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const textOf = (events: HarnessEvent[]) => events.map((e) => (e.type === 'text_delta' ? e.text : '')).join('');

describe('scripted harness process', () => {
  it('serves protocol v1 with the token from its environment', async () => {
    const { base } = await startScripted(TOKEN);
    const client = new HarnessClient(base, TOKEN);
    expect(await client.health()).toEqual({ status: 'ok', protocol: 'paddock.harness/v1', harness: 'scripted', bound: true, busy: false });
    const events = await collect(client.turn(request('hi there', 2, [{ role: 'user', text: 'hello' }, { role: 'assistant', text: 'I heard: hello' }])));
    expect(textOf(events)).toBe('I heard: hi there (turn 2, 2 history messages)');
    expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
    const tool = await collect(client.turn(request('/tool /recall', 3, [{ role: 'user', text: 'x' }])));
    expect(tool.map((e) => e.type)).toEqual(expect.arrayContaining(['tool_call', 'tool_result']));
    expect(textOf(tool)).toBe('I remember 1 messages: user: x');
  });

  it('binds once when started without a token (warm-pool flow)', async () => {
    const { base } = await startScripted();
    expect((await new HarnessClient(base).health()).bound).toBe(false);
    await new HarnessClient(base).bind(TOKEN);
    await expect(new HarnessClient(base).bind('u'.repeat(40))).rejects.toMatchObject({ code: 'already_bound' });
    expect(textOf(await collect(new HarnessClient(base, TOKEN).turn(request('ok'))))).toMatch(/^I heard: ok/);
  });

  it('streams slowly when told to', async () => {
    const { base } = await startScripted(TOKEN);
    const started = Date.now();
    const events = await collect(new HarnessClient(base, TOKEN).turn(request('/slow 40 a b c')));
    const deltas = events.filter((e) => e.type === 'text_delta').length;
    expect(Date.now() - started).toBeGreaterThanOrEqual((deltas - 1) * 40 - 5);
  });

  it('hangs until aborted over HTTP, then takes the next turn', async () => {
    const { base } = await startScripted(TOKEN);
    const client = new HarnessClient(base, TOKEN);
    const hanging = collect(client.turn(request('/hang')));
    for (let i = 0; i < 100 && !(await client.status()).busy; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await client.abort({ sessionId: 'sess-1' })).toBe(true);
    expect((await hanging).at(-1)).toEqual({ type: 'done', stopReason: 'aborted' });
    expect((await collect(client.turn(request('again', 2)))).at(-1)).toMatchObject({ stopReason: 'end_turn' });
  });

  it('reports /error as an error event and done(error)', async () => {
    const { base } = await startScripted(TOKEN);
    const events = await collect(new HarnessClient(base, TOKEN).turn(request('/error')));
    expect(events.slice(-2)).toEqual([
      { type: 'error', code: 'scripted_error', message: 'the scripted agent was told to fail (/error)', retryable: false },
      { type: 'done', stopReason: 'error' },
    ]);
  });

  it('exits mid-turn on /crash: the client sees the first delta, then stream_ended', async () => {
    const { base, child } = await startScripted(TOKEN);
    const exited = once(child, 'exit');
    const seen: HarnessEvent[] = [];
    const error = await (async () => {
      for await (const e of new HarnessClient(base, TOKEN).turn(request('/crash boom'))) seen.push(e);
    })().catch((e: unknown) => e);
    expect(seen.map((e) => e.type)).toEqual(['status', 'text_delta']);
    expect(error).toMatchObject({ code: 'stream_ended' });
    expect((await exited)[0]).toBe(70);
    await expect(new HarnessClient(base, TOKEN).status()).rejects.toMatchObject({ code: 'unreachable' });
  });

  it('stops gracefully on SIGTERM', async () => {
    const { child } = await startScripted(TOKEN);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });
});

