/** Events to the session view: turns, assembled text, tool blocks, sandbox changes, end states. */
import { describe, expect, it } from 'vitest';
import { applyEvent, applyEvents, emptyConversation, unfinishedTurn } from '../../console/src/conversation.ts';
import { parseWireEvent, type WireEvent } from '../../console/src/events.ts';

const at = '2026-12-04T12:00:00.000Z';
let seq = 0;
type Body = WireEvent extends infer E ? (E extends WireEvent ? Omit<E, 'seq' | 'createdAt'> : never) : never;
const ev = (body: Body): WireEvent => ({ ...body, seq: ++seq, createdAt: at }) as WireEvent;

function toolTurn(): WireEvent[] {
  seq = 0;
  return [
    ev({ turn: 1, type: 'user_message', text: 'hello' }),
    ev({ turn: 1, type: 'sandbox', action: 'acquired', generation: 1 }),
    ev({ turn: 1, type: 'turn_started', attempt: 1, sandboxGeneration: 1 }),
    ev({ turn: 1, type: 'text_delta', text: 'I ' }),
    ev({ turn: 1, type: 'text_delta', text: 'heard' }),
    ev({ turn: 1, type: 'tool_call', id: 'call-1', name: 'read_file', input: { path: 'README.md' } }),
    ev({ turn: 1, type: 'tool_result', id: 'call-1', output: '# Paddock', isError: false }),
    ev({ turn: 1, type: 'text_delta', text: 'done' }),
    ev({ turn: 1, type: 'done', stopReason: 'end_turn' }),
  ];
}

describe('applyEvents', () => {
  it('assembles text deltas into one block until a tool call, and pairs the call with its result', () => {
    const view = applyEvents(emptyConversation, toolTurn());
    expect(view.turns).toHaveLength(1);
    const turn = view.turns[0]!;
    expect(turn).toMatchObject({ number: 1, userText: 'hello', sentAt: at, state: 'completed', attempts: 1 });
    expect(turn.items.map((i) => i.kind)).toEqual(['sandbox', 'text', 'tool', 'text']);
    expect(turn.items[1]).toMatchObject({ kind: 'text', text: 'I heard' });
    expect(turn.items[2]).toMatchObject({ kind: 'tool', name: 'read_file', input: { path: 'README.md' }, result: { output: '# Paddock', isError: false } });
    expect(turn.items[0]).toMatchObject({ kind: 'sandbox', action: 'acquired', generation: 1 });
  });

  it("keeps the usage the harness reported with the turn's done", () => {
    seq = 0;
    const view = applyEvents(emptyConversation, [
      ev({ turn: 1, type: 'user_message', text: 'x' }),
      ev({ turn: 1, type: 'done', stopReason: 'end_turn', usage: { inputTokens: 1200, outputTokens: 80, costUsd: 0.0031 } }),
      ev({ turn: 2, type: 'user_message', text: 'y' }),
      ev({ turn: 2, type: 'done', stopReason: 'end_turn' }),
    ]);
    expect(view.turns[0]!.usage).toEqual({ inputTokens: 1200, outputTokens: 80, costUsd: 0.0031 });
    expect(view.turns[1]!.usage).toBeUndefined();
  });

  it('gives the same view applied one event at a time as all at once', () => {
    const events = toolTurn();
    expect(events.reduce(applyEvent, emptyConversation)).toEqual(applyEvents(emptyConversation, events));
  });

  it('shows a lost sandbox, the error with its code, and the replacement sandbox of the next turn', () => {
    seq = 0;
    const view = applyEvents(emptyConversation, [
      ev({ turn: 1, type: 'user_message', text: '/crash' }),
      ev({ turn: 1, type: 'turn_started', attempt: 1, sandboxGeneration: 1 }),
      ev({ turn: 1, type: 'sandbox', action: 'lost', generation: 1, reason: 'the harness process exited' }),
      ev({ turn: 1, type: 'error', code: 'sandbox_lost', message: 'the sandbox died', retryable: false }),
      ev({ turn: 1, type: 'done', stopReason: 'error' }),
      ev({ turn: 2, type: 'user_message', text: 'again' }),
      ev({ turn: 2, type: 'sandbox', action: 'acquired', generation: 2 }),
    ]);
    expect(view.turns[0]!.state).toBe('failed');
    expect(view.turns[0]!.items).toEqual([
      { kind: 'sandbox', seq: 3, action: 'lost', generation: 1, reason: 'the harness process exited' },
      { kind: 'error', seq: 4, code: 'sandbox_lost', message: 'the sandbox died', retryable: false },
    ]);
    expect(view.turns[1]!.items[0]).toMatchObject({ kind: 'sandbox', action: 'replaced', generation: 2 });
    expect(view.turns[1]!.state).toBe('queued');
    expect(unfinishedTurn(view)?.number).toBe(2);
  });

  it('tells aborted, interrupted and running turns apart', () => {
    seq = 0;
    const view = applyEvents(emptyConversation, [
      ev({ turn: 1, type: 'user_message', text: '/slow 5000' }),
      ev({ turn: 1, type: 'turn_started', attempt: 1, sandboxGeneration: 1 }),
      ev({ turn: 1, type: 'done', stopReason: 'aborted' }),
      ev({ turn: 2, type: 'user_message', text: 'x' }),
      ev({ turn: 2, type: 'turn_started', attempt: 1, sandboxGeneration: 1 }),
      ev({ turn: 2, type: 'error', code: 'runtime_shutdown', message: 'the runtime stopped', retryable: true }),
      ev({ turn: 2, type: 'done', stopReason: 'error' }),
      ev({ turn: 3, type: 'user_message', text: 'y' }),
      ev({ turn: 3, type: 'turn_started', attempt: 1, sandboxGeneration: 1 }),
    ]);
    expect(view.turns.map((t) => t.state)).toEqual(['aborted', 'interrupted', 'running']);
    expect(unfinishedTurn(view)?.number).toBe(3);
  });

  it('records the end of the session and keeps sandbox events without a turn apart', () => {
    seq = 0;
    const view = applyEvents(emptyConversation, [
      ev({ turn: null, type: 'sandbox', action: 'lost', generation: 1 }),
      ev({ turn: null, type: 'session_ended', state: 'failed', code: 'harness_unavailable', message: 'no CLI' }),
    ]);
    expect(view.sessionItems).toEqual([{ kind: 'sandbox', seq: 1, action: 'lost', generation: 1 }]);
    expect(view.ended).toEqual({ state: 'failed', code: 'harness_unavailable', message: 'no CLI' });
  });

  it('keeps agent text that looks like HTML as the text it is', () => {
    seq = 0;
    const html = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    const view = applyEvents(emptyConversation, [ev({ turn: 1, type: 'user_message', text: html }), ev({ turn: 1, type: 'text_delta', text: html })]);
    expect(view.turns[0]!.userText).toBe(html);
    expect(view.turns[0]!.items[0]).toMatchObject({ kind: 'text', text: html });
  });
});

describe('an event type this console does not know (a newer runtime)', () => {
  it('is parsed and skipped by the view, which goes on with the events after it', () => {
    seq = 0;
    const unknown = parseWireEvent('{"seq":2,"turn":1,"type":"thinking","text":"hmm","createdAt":"x"}');
    expect(unknown.seq).toBe(2);
    const view = applyEvents(emptyConversation, [ev({ turn: 1, type: 'user_message', text: 'x' }), unknown, { ...ev({ turn: 1, type: 'text_delta', text: 'after' }), seq: 3 }]);
    expect(view.turns[0]!.items).toEqual([{ kind: 'text', seq: 3, text: 'after' }]);
  });
});

describe('parseWireEvent', () => {
  it('accepts an event of the API and refuses what is not one', () => {
    expect(parseWireEvent('{"seq":3,"turn":1,"type":"text_delta","text":"hi","createdAt":"x"}')).toMatchObject({ seq: 3, type: 'text_delta' });
    expect(() => parseWireEvent('{"seq":0,"turn":1,"type":"text_delta"}')).toThrow(/no valid seq/);
    expect(() => parseWireEvent('{"seq":4,"turn":1}')).toThrow(/event 4 has no type/);
    expect(() => parseWireEvent('{"seq":4,"turn":"1","type":"status"}')).toThrow(/no valid turn/);
    expect(() => parseWireEvent('[1]')).toThrow(/no valid seq/);
  });
});
