/**
 * The Claude Code stream mapper against output recorded from the real CLI (2.1.330, see
 * fixtures/VERSION; re-record with test/harnesses/support/record-cli-fixtures.ts).
 */
import { describe, expect, it } from 'vitest';
import { ClaudeStreamMapper, retryableStatus, toolOutputText } from '../../../harnesses/claude-code/adapter/stream-mapper.ts';
import { TOOL_MARKER } from '../../support/fake-model/brain.ts';
import { fixtureLines, mapAll, replyText } from '../support/fixtures.ts';

describe('ClaudeStreamMapper (recorded claude output)', () => {
  it('maps a plain reply to a session status, ordered text deltas and done {end_turn} with usage', () => {
    const mapper = new ClaudeStreamMapper();
    const events = mapAll(mapper, fixtureLines('claude-code', 'simple'), { code: 0, signal: null });
    expect(events[0]).toMatchObject({ type: 'status', message: expect.stringMatching(/^claude 2\.1\.\d+ session [0-9a-f-]{36}/) });
    expect(events.filter((e) => e.type === 'text_delta').length).toBeGreaterThan(2);
    expect(replyText(events)).toBe('Fake model reply to: hello there');
    expect(events.at(-1)).toEqual({ type: 'done', stopReason: 'end_turn', usage: { inputTokens: 12, outputTokens: expect.any(Number), costUsd: expect.any(Number) } });
    expect((events.at(-1) as { usage: { costUsd: number } }).usage.costUsd).toBeGreaterThan(0);
    expect(mapper.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(mapper.completed).toBe(true);
  });

  it('maps a tool use to tool_call then tool_result with the same id, and separates text blocks', () => {
    const events = mapAll(new ClaudeStreamMapper(), fixtureLines('claude-code', 'tool'), { code: 0, signal: null });
    const types = events.map((e) => e.type);
    const call = events.find((e) => e.type === 'tool_call');
    const result = events.find((e) => e.type === 'tool_result');
    expect(call).toMatchObject({ type: 'tool_call', name: 'Bash', input: { command: `echo ${TOOL_MARKER}` } });
    expect(result).toEqual({ type: 'tool_result', id: (call as { id: string }).id, output: TOOL_MARKER, isError: false });
    expect(types.indexOf('tool_call')).toBeLessThan(types.indexOf('tool_result'));
    expect(replyText(events)).toBe(`Let me run a command.\n\nThe tool said: ${TOOL_MARKER}`);
    // the assistant lines repeat streamed text: it must not be doubled
    expect(replyText(events).match(/Let me run/g)).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
  });

  it('maps a refused model request to error {model_api_error, not retryable} then done {error}', () => {
    const events = mapAll(new ClaudeStreamMapper(), fixtureLines('claude-code', 'error'), { code: 1, signal: null });
    expect(replyText(events), 'the synthetic "API Error" message is not reply text').toBe('');
    expect(events.slice(-2)).toEqual([
      { type: 'error', code: 'model_api_error', message: expect.stringContaining('refused on purpose'), retryable: false },
      { type: 'done', stopReason: 'error', usage: { inputTokens: 0, outputTokens: 0 } },
    ]);
  });

  it('maps a gateway refusal for budget or rate limits to budget_exceeded / rate_limited, not model_api_error', () => {
    // the recorded error result, answered as LiteLLM answers an exhausted budget (400) or a rate limit (429)
    const recorded = fixtureLines('claude-code', 'error');
    const refused = (status: number, type: string, message: string) =>
      recorded.map((line) => ((line as { type?: string }).type === 'result' ? { ...(line as object), api_error_status: status, api_error_type: type, result: `API Error: ${status} ${JSON.stringify({ error: { message, type, param: null, code: String(status) } })}` } : line));
    const budget = mapAll(new ClaudeStreamMapper(), refused(400, 'budget_exceeded', 'Budget has been exceeded! Team=team-a Current cost: 1.2, Max budget: 1.0'), { code: 1, signal: null });
    expect(budget.slice(-2)).toEqual([
      { type: 'error', code: 'budget_exceeded', message: expect.stringMatching(/budget is used up.*Budget has been exceeded! Team=team-a/), retryable: false },
      { type: 'done', stopReason: 'error', usage: { inputTokens: 0, outputTokens: 0 } },
    ]);
    const limited = mapAll(new ClaudeStreamMapper(), refused(429, 'None', 'Rate limit exceeded for api_key: 5f2c. Limit type: requests. Current limit: 1, Remaining: 0.'), { code: 1, signal: null });
    expect(limited.at(-2)).toEqual({ type: 'error', code: 'rate_limited', message: expect.stringContaining('rate limit'), retryable: true });
  });

  it('reports a CLI killed mid-turn as error {cli_crashed} then done {error}, keeping what streamed', () => {
    const mapper = new ClaudeStreamMapper();
    const events = mapAll(mapper, fixtureLines('claude-code', 'crash'), { code: null, signal: 'SIGKILL', stderrTail: 'boom' });
    expect(mapper.completed).toBe(false);
    expect(replyText(events)).toBe('Crashing now.');
    expect(events.some((e) => e.type === 'tool_call')).toBe(true);
    expect(events.slice(-2)).toEqual([
      { type: 'error', code: 'cli_crashed', message: 'claude was killed by SIGKILL before finishing the turn: boom', retryable: true },
      { type: 'done', stopReason: 'error' },
    ]);
  });

  it('streams whole text blocks when partial messages are off, and skips sub-agent lines', () => {
    const mapper = new ClaudeStreamMapper();
    const lines = [
      { type: 'assistant', message: { id: 'm1', content: [{ type: 'text', text: 'first' }] }, parent_tool_use_id: null },
      { type: 'assistant', message: { id: 'm2', content: [{ type: 'text', text: 'nested' }] }, parent_tool_use_id: 'toolu_1' },
      { type: 'assistant', message: { id: 'm3', content: [{ type: 'text', text: 'second' }] }, parent_tool_use_id: null },
      { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'a' }, { type: 'image' }], is_error: true }] } },
      { type: 'system', subtype: 'api_retry', attempt: 2, max_retries: 10, error_status: 529 },
      { type: 'result', subtype: 'error_max_turns', is_error: true, errors: ['reached max turns'] },
    ];
    const events = mapAll(mapper, lines, { code: 1, signal: null });
    expect(replyText(events)).toBe('first\n\nsecond');
    expect(events).toContainEqual({ type: 'tool_result', id: 't', output: 'a[image]', isError: true });
    expect(events).toContainEqual({ type: 'status', message: 'retrying the model request (attempt 2 of 10) after HTTP 529' });
    expect(events.slice(-2)).toEqual([
      { type: 'error', code: 'claude_error_max_turns', message: 'reached max turns', retryable: false },
      { type: 'done', stopReason: 'error' },
    ]);
  });

  it('ignores lines that are not objects and unknown line types', () => {
    const mapper = new ClaudeStreamMapper();
    expect([...mapper.map(null), ...mapper.map(42), ...mapper.map({ type: 'rate_limit_event' })]).toEqual([]);
  });

  it('classifies model API statuses as retryable or not', () => {
    expect([408, 409, 429, 500, 529].every(retryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413].some(retryableStatus)).toBe(false);
    expect(toolOutputText({ a: 1 })).toBe('{"a":1}');
    expect(toolOutputText(undefined)).toBe('');
  });
});
