import { describe, expect, it } from 'vitest';
import { parseDirectives, recallText, replyDeltas, scriptedTurn, scriptedUsage, type ScriptEffects } from '../../../harnesses/scripted/script.ts';
import type { HarnessEvent, TurnRequest } from '../../../harnesses/protocol/types.ts';

const turn = (input: string, history: TurnRequest['history'] = []): TurnRequest => ({ sessionId: 's', turn: 2, input, history });

async function run(request: TurnRequest, effects: Partial<ScriptEffects> = {}, signal = new AbortController().signal): Promise<HarnessEvent[]> {
  const out: HarnessEvent[] = [];
  const all: ScriptEffects = { sleep: async () => undefined, crash: () => Promise.reject(new Error('crashed')), ...effects };
  for await (const e of scriptedTurn(request, signal, all)) out.push(e);
  return out;
}

describe('scripted agent directives', () => {
  it('parses leading directives and keeps the rest as the message', () => {
    expect(parseDirectives('/slow 50 /tool hello there')).toEqual({ crash: false, hang: false, slowMs: 50, tool: true, error: false, recall: false, burst: 0, message: 'hello there' });
    expect(parseDirectives('/burst 3000000 x')).toMatchObject({ burst: 100_000, message: 'x' });
    expect(parseDirectives('hello /crash')).toMatchObject({ crash: false, message: 'hello /crash' });
    expect(parseDirectives('/slow fast')).toMatchObject({ slowMs: 0, message: '/slow fast' });
    expect(parseDirectives('/slow 999999 x').slowMs).toBe(60_000);
    expect(parseDirectives('/crash /hang /error /recall')).toMatchObject({ crash: true, hang: true, error: true, recall: true, message: '' });
  });

  it('replies deterministically, word by word, naming turn and history size', async () => {
    const events = await run(turn('hello world', [{ role: 'user', text: 'a' }, { role: 'assistant', text: 'b' }]));
    expect(events[0]).toEqual({ type: 'status', message: 'scripted agent: turn 2, 2 history messages' });
    const text = events.filter((e) => e.type === 'text_delta').map((e) => (e as { text: string }).text);
    expect(text.length).toBeGreaterThan(3);
    expect(text.join('')).toBe('I heard: hello world (turn 2, 2 history messages)');
    expect(events.at(-1)).toEqual({ type: 'done', stopReason: 'end_turn', usage: { inputTokens: 4, outputTokens: 9, costUsd: 0.000147 } });
    expect(await run(turn('hello world', [{ role: 'user', text: 'a' }, { role: 'assistant', text: 'b' }]))).toEqual(events);
  });

  it('recalls the history it was handed', () => {
    expect(replyDeltas(turn('/recall', [{ role: 'user', text: 'hi' }]), parseDirectives('/recall')).join('')).toBe('I remember 1 messages: user: hi');
    expect(recallText([])).toMatch(/no history/);
  });

  it('emits a tool call and its result, or an error and done(error)', async () => {
    const tool = await run(turn('/tool ls'));
    expect(tool.slice(1, 3)).toEqual([
      { type: 'tool_call', id: 'call-2-1', name: 'echo', input: { text: 'ls' } },
      { type: 'tool_result', id: 'call-2-1', output: 'ls', isError: false },
    ]);
    const error = await run(turn('/error'));
    expect(error.slice(1)).toEqual([
      { type: 'error', code: 'scripted_error', message: 'the scripted agent was told to fail (/error)', retryable: false },
      { type: 'done', stopReason: 'error' },
    ]);
  });

  it('refuses a turn as the model gateway would, for budget or rate limits', async () => {
    expect((await run(turn('/budget hi'))).slice(1)).toEqual([
      { type: 'error', code: 'budget_exceeded', message: "the team's model budget is used up (/budget)", retryable: false },
      { type: 'done', stopReason: 'error' },
    ]);
    expect((await run(turn('/ratelimit hi'))).slice(1)).toEqual([
      { type: 'error', code: 'rate_limited', message: "the team's model rate limit was reached (/ratelimit)", retryable: true },
      { type: 'done', stopReason: 'error' },
    ]);
  });

  it('prices its usage deterministically (words as tokens)', () => {
    expect(scriptedUsage(1_000_000, 1_000_000)).toEqual({ inputTokens: 1_000_000, outputTokens: 1_000_000, costUsd: 18 });
    expect(scriptedUsage(0, 0).costUsd).toBe(0);
  });

  it('sleeps between deltas when slow, and crashes after the first delta', async () => {
    const sleeps: number[] = [];
    await run(turn('/slow 25 a b'), { sleep: async (ms) => void sleeps.push(ms) });
    expect(sleeps.length).toBeGreaterThan(2);
    expect(new Set(sleeps)).toEqual(new Set([25]));
    const seen: HarnessEvent[] = [];
    const crash = (async () => {
      for await (const e of scriptedTurn(turn('/crash x'), new AbortController().signal, { sleep: async () => undefined, crash: () => Promise.reject(new Error('crashed')) })) seen.push(e);
    })();
    await expect(crash).rejects.toThrow('crashed');
    expect(seen.map((e) => e.type)).toEqual(['status', 'text_delta']);
  });

  it('bursts n deltas for benchmarks', async () => {
    const events = await run(turn('/burst 5'));
    expect(events.filter((e) => e.type === 'text_delta')).toHaveLength(5);
    expect(events.at(-1)).toEqual({ type: 'done', stopReason: 'end_turn', usage: { inputTokens: 2, outputTokens: 5, costUsd: 0.000081 } });
  });

  it('hangs until aborted, then stops without a done of its own', async () => {
    const controller = new AbortController();
    const pending = run(turn('/hang'), {}, controller.signal);
    setTimeout(() => controller.abort(), 20);
    expect((await pending).map((e) => e.type)).toEqual(['status', 'status']);
  });
});
