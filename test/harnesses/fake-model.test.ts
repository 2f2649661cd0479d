/**
 * The fake model server (test/support/fake-model/) over real HTTP: the Anthropic Messages and
 * OpenAI Responses streams are well-formed and in order, tool calls and errors take the API's
 * shapes, the key is enforced, and hanging streams are counted until the client leaves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_COMMAND, TOOL_MARKER, think } from '../support/fake-model/brain.ts';
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model/server.ts';
import { SseParser } from '../../harnesses/protocol/sse.ts';

let fake: FakeModelServer;
beforeAll(async () => {
  fake = await startFakeModelServer({ apiKey: 'sk-test-key', pauseMs: 0 });
});
afterAll(() => fake.close());

async function sse(path: string, body: unknown, key = 'sk-test-key') {
  const res = await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body) });
  const text = await res.text();
  const events = res.headers.get('content-type')?.startsWith('text/event-stream') ? new SseParser().push(text).map((m) => ({ event: m.event, data: JSON.parse(m.data) as Record<string, unknown> })) : [];
  return { status: res.status, text, events };
}

const user = (text: string) => ({ role: 'user', content: [{ type: 'text', text }] });

describe('fake model brain', () => {
  const msg = (text: string, toolResults: string[] = []) => ({ role: 'user' as const, texts: [text], toolResults });
  it('answers directives only from the latest request', () => {
    expect(think([msg('hi')], { canUseShell: true })).toEqual({ kind: 'text', chunks: ['Fake ', 'model ', 'reply ', 'to: ', 'hi'] });
    expect(think([msg('[[tool]]')], { canUseShell: true })).toMatchObject({ kind: 'shell', command: `echo ${TOOL_MARKER}` });
    expect(think([msg('[[tool]]')], { canUseShell: false })).toMatchObject({ kind: 'text' });
    expect(think([msg('[[crash]]')], { canUseShell: true })).toMatchObject({ kind: 'shell', command: CRASH_COMMAND });
    expect(think([msg('x', ['out'])], { canUseShell: true })).toEqual({ kind: 'text', chunks: ['The ', 'tool ', 'said: ', 'out'] });
    // a replayed transcript: only what follows <current_message> is the request
    expect(think([msg('<conversation_history>[[hang]]</conversation_history>\n<current_message>\nhi\n</current_message>')], { canUseShell: true })).toMatchObject({ kind: 'text' });
  });

  it('remembers across the whole conversation it is sent', () => {
    const conversation = [msg('remember the word OKAPI'), { role: 'assistant' as const, texts: ['OK'], toolResults: [] }, msg('what word was it?')];
    expect(think(conversation, { canUseShell: true })).toEqual({ kind: 'text', chunks: ['You ', 'asked ', 'me ', 'to ', 'remember ', 'OKAPI.'] });
  });
});

describe('fake Anthropic Messages API', () => {
  it('streams message_start, text deltas in order, message_delta and message_stop', async () => {
    const { status, events } = await sse('/v1/messages', { model: 'm', stream: true, messages: [user('hello there')] });
    expect(status).toBe(200);
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', ...Array(6).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
    expect(events.every((e) => e.data.type === e.event)).toBe(true);
    expect(events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data.delta as { text: string }).text).join('')).toBe('Fake model reply to: hello there');
  });

  it('streams a Bash tool_use block as input_json_delta parts with stop_reason tool_use', async () => {
    const { events } = await sse('/v1/messages', { stream: true, tools: [{ name: 'Bash' }], messages: [user('[[tool]]')] });
    const start = events.find((e) => e.event === 'content_block_start' && (e.data.content_block as { type: string }).type === 'tool_use');
    expect(start?.data.content_block).toMatchObject({ name: 'Bash', id: expect.stringMatching(/^toolu_/) });
    const json = events.filter((e) => (e.data.delta as { type?: string } | undefined)?.type === 'input_json_delta').map((e) => (e.data.delta as { partial_json: string }).partial_json).join('');
    expect(JSON.parse(json)).toMatchObject({ command: `echo ${TOOL_MARKER}` });
    expect(events.find((e) => e.event === 'message_delta')?.data.delta).toMatchObject({ stop_reason: 'tool_use' });
  });

  it('refuses a wrong key (401) and [[error]] (400) in the API error shape', async () => {
    const wrong = await sse('/v1/messages', { stream: true, messages: [user('hi')] }, 'sk-wrong');
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const refused = await sse('/v1/messages', { stream: true, messages: [user('[[error]]')] });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});

describe('fake OpenAI Responses API', () => {
  it('streams response.created, output_text deltas with sequence numbers and response.completed with usage', async () => {
    const { events } = await sse('/v1/responses', { model: 'm', stream: true, input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello there' }] }] });
    expect(events[0]?.event).toBe('response.created');
    expect(events.at(-1)?.event).toBe('response.completed');
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.filter((e) => e.event === 'response.output_text.delta').map((e) => e.data.delta).join('')).toBe('Fake model reply to: hello there');
    expect((events.at(-1)?.data.response as { usage: { output_tokens: number } }).usage.output_tokens).toBeGreaterThan(0);
  });

  it('calls exec_command as a function_call item and answers its output on the next request', async () => {
    const first = await sse('/v1/responses', { stream: true, tools: [{ type: 'function', name: 'exec_command' }], input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: '[[tool]]' }] }] });
    const call = first.events.find((e) => e.event === 'response.output_item.done' && (e.data.item as { type: string }).type === 'function_call')?.data.item as { name: string; arguments: string; call_id: string };
    expect(call.name).toBe('exec_command');
    expect(JSON.parse(call.arguments)).toMatchObject({ cmd: `echo ${TOOL_MARKER}` });
    const second = await sse('/v1/responses', { stream: true, tools: [{ type: 'function', name: 'exec_command' }], input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: '[[tool]]' }] }, { type: 'function_call', call_id: call.call_id }, { type: 'function_call_output', call_id: call.call_id, output: TOOL_MARKER }] });
    expect(second.events.filter((e) => e.event === 'response.output_text.delta').map((e) => e.data.delta).join('')).toBe(`The tool said: ${TOOL_MARKER}`);
  });

  it('holds a [[hang]] stream open and counts it until the client leaves', async () => {
    const controller = new AbortController();
    const res = await fetch(`${fake.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' }, body: JSON.stringify({ stream: true, input: '[[hang]]' }), signal: controller.signal });
    expect(res.status).toBe(200);
    await fake.waitForHang(5_000);
    expect(fake.openHangs()).toBe(1);
    controller.abort();
    await fake.waitForNoHang(5_000);
    expect(fake.openHangs()).toBe(0);
  });
});
