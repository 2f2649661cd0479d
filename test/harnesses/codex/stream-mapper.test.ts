/**
 * The Codex stream mapper against `codex exec --json` output recorded from the real CLI
 * (0.169.0, see fixtures/VERSION; re-record with test/harnesses/support/record-cli-fixtures.ts).
 */
import { describe, expect, it } from 'vitest';
import { codexErrorMessage, CodexStreamMapper } from '../../../harnesses/codex/adapter/stream-mapper.ts';
import { TOOL_MARKER } from '../../support/fake-model/brain.ts';
import { fixtureLines, mapAll, replyText } from '../support/fixtures.ts';

describe('CodexStreamMapper (recorded codex output)', () => {
  it('maps a plain reply to thread status, the message text and done {end_turn} with usage', () => {
    const mapper = new CodexStreamMapper();
    const events = mapAll(mapper, fixtureLines('codex', 'simple'), { code: 0, signal: null });
    expect(events[0]).toMatchObject({ type: 'status', message: expect.stringMatching(/^codex thread [0-9a-f-]{36}$/) });
    expect(mapper.threadId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events).toContainEqual({ type: 'status', message: expect.stringContaining('Model metadata for `paddock-fake` not found') });
    expect(replyText(events)).toBe('Fake model reply to: hello there');
    expect(events.at(-1)).toEqual({ type: 'done', stopReason: 'end_turn', usage: { inputTokens: 12, outputTokens: expect.any(Number) } });
  });

  it('maps a command execution to tool_call (started) then tool_result (completed), once each', () => {
    const events = mapAll(new CodexStreamMapper(), fixtureLines('codex', 'tool'), { code: 0, signal: null });
    const calls = events.filter((e) => e.type === 'tool_call');
    const results = events.filter((e) => e.type === 'tool_result');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: 'shell', input: { command: expect.stringContaining(`echo ${TOOL_MARKER}`) } });
    expect(results).toEqual([{ type: 'tool_result', id: (calls[0] as { id: string }).id, output: `${TOOL_MARKER}\n`, isError: false }]);
    expect(events.indexOf(calls[0]!)).toBeLessThan(events.indexOf(results[0]!));
    expect(replyText(events)).toMatch(new RegExp(`^Let me run a command\\.\\n\\nThe tool said: [\\s\\S]*${TOOL_MARKER}$`));
  });

  it('maps turn.failed to error {model_api_error} with the API message, then done {error}', () => {
    const events = mapAll(new CodexStreamMapper(), fixtureLines('codex', 'error'), { code: 1, signal: null });
    expect(events.slice(-2)).toEqual([
      { type: 'error', code: 'model_api_error', message: 'fake model: this request was refused on purpose ([[error]])', retryable: false },
      { type: 'done', stopReason: 'error' },
    ]);
  });

  it('reports a CLI killed mid-turn as error {cli_crashed} then done {error}', () => {
    const mapper = new CodexStreamMapper();
    const events = mapAll(mapper, fixtureLines('codex', 'crash'), { code: null, signal: 'SIGKILL' });
    expect(mapper.completed).toBe(false);
    expect(events.slice(-2)).toEqual([
      { type: 'error', code: 'cli_crashed', message: 'codex was killed by SIGKILL before finishing the turn', retryable: true },
      { type: 'done', stopReason: 'error' },
    ]);
  });

  it('streams growing agent messages as their new parts and maps the other tool items', () => {
    const mapper = new CodexStreamMapper();
    const lines = [
      { type: 'item.started', item: { id: 'a', type: 'agent_message', text: 'Hel' } },
      { type: 'item.updated', item: { id: 'a', type: 'agent_message', text: 'Hello' } },
      { type: 'item.completed', item: { id: 'a', type: 'agent_message', text: 'Hello' } },
      { type: 'item.started', item: { id: 'm', type: 'mcp_tool_call', server: 'docs', tool: 'search', arguments: { q: 'x' }, status: 'in_progress' } },
      { type: 'item.completed', item: { id: 'm', type: 'mcp_tool_call', server: 'docs', tool: 'search', status: 'completed', result: { content: [{ type: 'text', text: 'found' }] } } },
      { type: 'item.completed', item: { id: 'f', type: 'file_change', status: 'completed', changes: [{ path: 'a.ts', kind: 'update' }] } },
      { type: 'item.completed', item: { id: 'c', type: 'command_execution', command: 'false', aggregated_output: '', exit_code: 1, status: 'failed' } },
      { type: 'item.updated', item: { id: 't', type: 'todo_list', items: [{ text: 'read', completed: true }, { text: 'write', completed: false }] } },
      { type: 'item.completed', item: { id: 'b', type: 'agent_message', text: 'Done' } },
      { type: 'error', message: 'Reconnecting... 1/5' },
      { type: 'turn.completed', usage: { input_tokens: 10, cached_input_tokens: 4, output_tokens: 3 } },
    ];
    const events = mapAll(mapper, lines, { code: 0, signal: null });
    expect(events.filter((e) => e.type === 'text_delta')).toEqual([
      { type: 'text_delta', text: 'Hel' },
      { type: 'text_delta', text: 'lo' },
      { type: 'text_delta', text: '\n\nDone' },
    ]);
    expect(events).toContainEqual({ type: 'tool_call', id: 'm', name: 'docs/search', input: { q: 'x' } });
    expect(events).toContainEqual({ type: 'tool_result', id: 'm', output: 'found', isError: false });
    expect(events).toContainEqual({ type: 'tool_call', id: 'f', name: 'apply_patch', input: { changes: [{ path: 'a.ts', kind: 'update' }] } });
    expect(events).toContainEqual({ type: 'tool_result', id: 'f', output: 'update a.ts', isError: false });
    expect(events).toContainEqual({ type: 'tool_result', id: 'c', output: '', isError: true });
    expect(events).toContainEqual({ type: 'status', message: 'plan: [x] read; [ ] write' });
    expect(events).toContainEqual({ type: 'status', message: 'codex: Reconnecting... 1/5' });
    expect(events.at(-1)).toEqual({ type: 'done', stopReason: 'end_turn', usage: { inputTokens: 10, outputTokens: 3 } });
  });

  it('extracts the message of a JSON error body, keeps plain text as it is', () => {
    expect(codexErrorMessage('{"error":{"type":"rate_limit_error","message":"slow down"}}')).toEqual({ message: 'slow down', type: 'rate_limit_error' });
    expect(codexErrorMessage('stream disconnected')).toEqual({ message: 'stream disconnected', type: undefined });
    const mapper = new CodexStreamMapper();
    mapper.map({ type: 'turn.failed', error: { message: '{"error":{"type":"overloaded_error","message":"busy"}}' } });
    expect(mapper.finish({ code: 1, signal: null, stderrTail: '' })[0]).toEqual({ type: 'error', code: 'model_api_error', message: 'busy', retryable: true });
  });

  it('maps a gateway refusal for budget or rate limits to budget_exceeded / rate_limited', () => {
    const finish = (message: string) => {
      const mapper = new CodexStreamMapper();
      mapper.map({ type: 'turn.failed', error: { message } });
      return mapper.finish({ code: 1, signal: null, stderrTail: '' });
    };
    // LiteLLM's answer to an exhausted team budget, as codex passes the body on
    expect(finish('{"error":{"message":"Budget has been exceeded! Team=team-a Current cost: 2.0, Max budget: 1.0","type":"budget_exceeded","param":null,"code":"400"}}')).toEqual([
      { type: 'error', code: 'budget_exceeded', message: expect.stringMatching(/budget is used up.*Budget has been exceeded! Team=team-a/), retryable: false },
      { type: 'done', stopReason: 'error' },
    ]);
    expect(finish('{"error":{"type":"rate_limit_error","message":"slow down"}}')[0]).toEqual({ type: 'error', code: 'rate_limited', message: expect.stringContaining('slow down'), retryable: true });
    expect(finish('exceeded retry limit, last status: 429 Too Many Requests')[0]).toMatchObject({ code: 'rate_limited' });
    expect(finish('stream disconnected before completion')[0]).toMatchObject({ code: 'codex_turn_failed' });
  });
});
