/**
 * The OpenAI Responses API as the fake model speaks it: `POST /v1/responses` with `stream: true`
 * answers response.created → response.output_item.added → response.output_text.delta… →
 * response.output_item.done → response.completed, with `message` and `function_call` items.
 * Close enough for `codex exec` with a custom model provider (wire_api = "responses").
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { chunk, think, type BrainMessage, type BrainPlan } from './brain.ts';
import type { StreamControl } from './stream-control.ts';

interface ContentPart {
  readonly type: string;
  readonly text?: string;
}

interface InputItem {
  readonly type?: string;
  readonly role?: string;
  readonly content?: string | readonly ContentPart[];
  readonly output?: string | readonly ContentPart[];
}

export interface ResponsesRequest {
  readonly model?: string;
  readonly stream?: boolean;
  readonly input?: string | readonly InputItem[];
  readonly tools?: readonly { readonly type?: string; readonly name?: string }[];
}

function textOf(content: string | readonly ContentPart[] | undefined): string[] {
  if (content === undefined) return [];
  if (typeof content === 'string') return [content];
  return content.filter((p) => typeof p.text === 'string').map((p) => p.text ?? '');
}

/** Input items as messages: developer/system items are instructions, not conversation. */
export function responsesConversation(request: ResponsesRequest): BrainMessage[] {
  if (typeof request.input === 'string') return [{ role: 'user', texts: [request.input], toolResults: [] }];
  const messages: BrainMessage[] = [];
  for (const item of request.input ?? []) {
    if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') {
      const output = textOf(item.output).join('');
      const last = messages.at(-1);
      if (last?.role === 'user' && last.texts.length === 0) messages[messages.length - 1] = { ...last, toolResults: [...last.toolResults, output] };
      else messages.push({ role: 'user', texts: [], toolResults: [output] });
    } else if ((item.type === 'message' || item.type === undefined) && (item.role === 'user' || item.role === 'assistant')) {
      const texts = textOf(item.content).filter((t) => !t.trimStart().startsWith('<environment_context>'));
      const last = messages.at(-1);
      if (last?.role === item.role && last.toolResults.length === 0) messages[messages.length - 1] = { ...last, texts: [...last.texts, ...texts] };
      else messages.push({ role: item.role, texts, toolResults: [] });
    } else if (item.type === 'function_call') {
      messages.push({ role: 'assistant', texts: [], toolResults: [] });
    }
  }
  return messages;
}

/** The shell tool codex offers: `exec_command {cmd}` (unified exec) or the older `shell {command: []}`. */
function shellTool(request: ResponsesRequest): 'exec_command' | 'shell' | undefined {
  const names = new Set((request.tools ?? []).map((t) => t.name));
  if (names.has('exec_command')) return 'exec_command';
  if (names.has('shell')) return 'shell';
  return undefined;
}

export function responsesPlan(request: ResponsesRequest): BrainPlan {
  return think(responsesConversation(request), { canUseShell: shellTool(request) !== undefined });
}

const ident = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`;

export async function answerResponses(request: ResponsesRequest, res: ServerResponse, control: StreamControl): Promise<void> {
  const plan = responsesPlan(request);
  const model = request.model ?? 'fake-model';
  const responseId = ident('resp');
  if (plan.kind === 'error') {
    res.writeHead(plan.status, { 'content-type': 'application/json', 'x-request-id': responseId });
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', code: 'fake_refusal', message: plan.message, param: null } }));
    return;
  }
  if (!request.stream) {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'the fake model only streams', param: 'stream', code: null } }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let sequence = 0;
  const send = (type: string, data: Record<string, unknown>) => control.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`);
  const response = (status: string, output: unknown[], usage: unknown = null) => ({
    id: responseId,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model,
    output,
    usage,
    error: null,
    incomplete_details: null,
  });
  await send('response.created', { response: response('in_progress', []) });
  await send('response.in_progress', { response: response('in_progress', []) });

  const output: unknown[] = [];
  let outputTokens = 0;
  const message = async (pieces: readonly string[], index: number, finish: boolean) => {
    const itemId = ident('msg');
    await send('response.output_item.added', { output_index: index, item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    await send('response.content_part.added', { item_id: itemId, output_index: index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const delta of pieces) {
      outputTokens += 1;
      await send('response.output_text.delta', { item_id: itemId, output_index: index, content_index: 0, delta, logprobs: [] });
    }
    if (!finish) return;
    const text = pieces.join('');
    await send('response.output_text.done', { item_id: itemId, output_index: index, content_index: 0, text, logprobs: [] });
    const part = { type: 'output_text', text, annotations: [] };
    await send('response.content_part.done', { item_id: itemId, output_index: index, content_index: 0, part });
    const item = { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [part] };
    await send('response.output_item.done', { output_index: index, item });
    output.push(item);
  };

  if (plan.kind === 'hang') {
    await message([plan.preamble], 0, false);
    await control.hang();
    return;
  }
  if (plan.kind === 'text') await message(plan.chunks, 0, true);
  else {
    await message(chunk(plan.preamble), 0, true);
    const tool = shellTool(request) ?? 'exec_command';
    const args = JSON.stringify(tool === 'exec_command' ? { cmd: plan.command, yield_time_ms: 10_000 } : { command: ['bash', '-lc', plan.command] });
    const itemId = ident('fc');
    const callId = ident('call');
    const pending = { id: itemId, type: 'function_call', status: 'in_progress', call_id: callId, name: tool, arguments: '' };
    await send('response.output_item.added', { output_index: 1, item: pending });
    await send('response.function_call_arguments.delta', { item_id: itemId, output_index: 1, delta: args });
    await send('response.function_call_arguments.done', { item_id: itemId, output_index: 1, arguments: args });
    const item = { ...pending, status: 'completed', arguments: args };
    await send('response.output_item.done', { output_index: 1, item });
    output.push(item);
    outputTokens += 8;
  }
  const usage = { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: outputTokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 + outputTokens };
  await send('response.completed', { response: response('completed', output, usage) });
  res.end();
}
