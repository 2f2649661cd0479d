/**
 * The Anthropic Messages API as the fake model speaks it: `POST /v1/messages` with `stream: true`
 * answers the SSE sequence message_start → content_block_start → content_block_delta… →
 * content_block_stop → message_delta → message_stop (text and tool_use blocks), and the
 * non-streaming form answers one JSON message. Close enough for Claude Code to drive it.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { chunk, think, type BrainMessage, type BrainPlan } from './brain.ts';
import type { StreamControl } from './stream-control.ts';

interface AnthropicBlock {
  readonly type: string;
  readonly text?: string;
  readonly content?: string | readonly AnthropicBlock[];
}

interface AnthropicMessage {
  /** user and assistant turns; Claude Code also sends `system` messages (environment notes) */
  readonly role: string;
  readonly content: string | readonly AnthropicBlock[];
}

export interface AnthropicRequest {
  readonly model?: string;
  readonly stream?: boolean;
  readonly messages?: readonly AnthropicMessage[];
  readonly tools?: readonly { readonly name?: string }[];
}

function textOf(content: string | readonly AnthropicBlock[] | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
}

export function anthropicConversation(request: AnthropicRequest): BrainMessage[] {
  const turns = (request.messages ?? []).filter((m): m is AnthropicMessage & { role: 'user' | 'assistant' } => m.role === 'user' || m.role === 'assistant');
  return turns.map((m) => {
    if (typeof m.content === 'string') return { role: m.role, texts: [m.content], toolResults: [] };
    return {
      role: m.role,
      texts: m.content.filter((b) => b.type === 'text').map((b) => b.text ?? ''),
      toolResults: m.content.filter((b) => b.type === 'tool_result').map((b) => textOf(b.content)),
    };
  });
}

export function anthropicPlan(request: AnthropicRequest): BrainPlan {
  const canUseShell = (request.tools ?? []).some((t) => t.name === 'Bash');
  return think(anthropicConversation(request), { canUseShell });
}

type Block = { readonly type: 'text'; readonly text: string } | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: Record<string, unknown> };

function blocksOf(plan: Exclude<BrainPlan, { kind: 'error' } | { kind: 'hang' }>): Block[] {
  if (plan.kind === 'text') return [{ type: 'text', text: plan.chunks.join('') }];
  return [
    { type: 'text', text: plan.preamble },
    { type: 'tool_use', id: `toolu_${randomUUID().replace(/-/g, '').slice(0, 24)}`, name: 'Bash', input: { command: plan.command, description: 'Run a command for the test' } },
  ];
}

const usage = (output: number) => ({ input_tokens: 12, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });

export async function answerAnthropic(request: AnthropicRequest, res: ServerResponse, control: StreamControl): Promise<void> {
  const plan = anthropicPlan(request);
  const model = request.model ?? 'fake-model';
  const id = `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  if (plan.kind === 'error') {
    res.writeHead(plan.status, { 'content-type': 'application/json', 'request-id': `req_${id}` });
    res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: plan.message } }));
    return;
  }
  if (!request.stream) {
    const blocks = plan.kind === 'hang' ? [{ type: 'text' as const, text: plan.preamble }] : blocksOf(plan);
    const stopReason = blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, type: 'message', role: 'assistant', model, content: blocks, stop_reason: stopReason, stop_sequence: null, usage: usage(5) }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (type: string, data: Record<string, unknown>) => control.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  await send('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usage(1) } });
  if (plan.kind === 'hang') {
    await send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    await send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: plan.preamble } });
    await control.hang();
    return;
  }
  let outputTokens = 0;
  for (const [index, block] of blocksOf(plan).entries()) {
    if (block.type === 'text') {
      await send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const piece of plan.kind === 'text' ? plan.chunks : chunk(block.text)) {
        outputTokens += 1;
        await send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
      }
    } else {
      await send('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      const json = JSON.stringify(block.input);
      const half = Math.floor(json.length / 2);
      for (const part of [json.slice(0, half), json.slice(half)]) await send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } });
      outputTokens += 8;
    }
    await send('content_block_stop', { index });
  }
  const stopReason = plan.kind === 'shell' ? 'tool_use' : 'end_turn';
  await send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
  await send('message_stop', {});
  res.end();
}
