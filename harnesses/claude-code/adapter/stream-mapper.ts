/**
 * Claude Code's `--output-format stream-json --verbose --include-partial-messages` lines mapped to
 * harness protocol v1 events (recorded against @anthropic-ai/claude-code 2.1.330):
 *
 * | Claude Code line                                              | protocol event                  |
 * |---------------------------------------------------------------|---------------------------------|
 * | `system` / `init`                                             | `status` (session, model)       |
 * | `stream_event` content_block_delta / text_delta               | `text_delta`                    |
 * | `assistant` text block not already streamed as deltas          | `text_delta` (whole block)      |
 * | `assistant` tool_use block                                     | `tool_call {id,name,input}`     |
 * | `user` tool_result block                                       | `tool_result {id,output,isError}` |
 * | `system` / `api_retry`                                         | `status`                        |
 * | `result` success                                               | `done end_turn` + usage         |
 * | `result` is_error (API error, max turns, ...)                  | `error` then `done error`       |
 * | `result` is_error, the gateway refused (budget, rate limit)    | `error budget_exceeded` / `rate_limited` |
 * | exit without `result` (crash, kill, bad flag)                  | `error cli_crashed`, `done error` |
 *
 * Lines from sub-agents (`parent_tool_use_id` set) are not the main conversation: only their
 * tool calls would be noise for the user, so they are skipped. Consecutive text blocks are
 * separated by a blank line so the streamed reply reads like the final one.
 */
import type { HarnessEvent, TurnUsage } from '../../protocol/types.ts';
import { gatewayRefusal, RATE_LIMITED, refusalMessage } from '../../cli-adapter/gateway-refusal.ts';
import { describeExit, type CliExit, type CliStreamMapper } from '../../cli-adapter/run-cli.ts';

interface ContentBlock {
  readonly type?: string;
  readonly text?: string;
  readonly id?: string;
  readonly name?: string;
  readonly input?: unknown;
  readonly tool_use_id?: string;
  readonly content?: unknown;
  readonly is_error?: boolean;
}

interface ClaudeLine {
  readonly type?: string;
  readonly subtype?: string;
  readonly session_id?: string;
  readonly model?: string;
  readonly claude_code_version?: string;
  readonly parent_tool_use_id?: string | null;
  readonly event?: { readonly type?: string; readonly index?: number; readonly message?: { readonly id?: string }; readonly content_block?: ContentBlock; readonly delta?: { readonly type?: string; readonly text?: string } };
  readonly message?: { readonly id?: string; readonly content?: readonly ContentBlock[] | string };
  readonly is_api_error_message?: boolean;
  readonly attempt?: number;
  readonly max_retries?: number;
  readonly error_status?: number | null;
  // result
  readonly is_error?: boolean;
  readonly result?: string;
  readonly errors?: readonly string[];
  readonly api_error_status?: number | null;
  readonly api_error_type?: string | null;
  readonly terminal_reason?: string;
  readonly usage?: { readonly input_tokens?: number; readonly output_tokens?: number; readonly cache_creation_input_tokens?: number; readonly cache_read_input_tokens?: number };
  readonly total_cost_usd?: number;
}

interface ClaudeResult {
  readonly subtype: string;
  readonly isError: boolean;
  readonly text: string;
  readonly apiErrorStatus: number | undefined;
  readonly apiErrorType: string | undefined;
  readonly terminalReason: string | undefined;
  readonly usage: TurnUsage | undefined;
}

/** Tool output as text: a string, or the text parts of a content array. */
export function toolOutputText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        const p = part as { type?: string; text?: string };
        if (p.type === 'text' && typeof p.text === 'string') return p.text;
        return p.type ? `[${p.type}]` : '';
      })
      .join('');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

const count = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0);

/**
 * A result line's usage: every prompt token (cached and cache-creation included) and the
 * output tokens; the cost Claude Code computed, when it knows the model's price (a model
 * name it does not know, e.g. a gateway alias, costs "0": that is unknown, not free).
 */
export function claudeUsage(line: Pick<ClaudeLine, 'usage' | 'total_cost_usd'>): TurnUsage | undefined {
  if (!line.usage) return undefined;
  const usage = { inputTokens: count(line.usage.input_tokens) + count(line.usage.cache_creation_input_tokens) + count(line.usage.cache_read_input_tokens), outputTokens: count(line.usage.output_tokens) };
  const cost = line.total_cost_usd;
  return typeof cost === 'number' && Number.isFinite(cost) && cost > 0 ? { ...usage, costUsd: cost } : usage;
}

/** Model API statuses worth retrying later: rate limits, overload, gateway trouble. */
export function retryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
}

export class ClaudeStreamMapper implements CliStreamMapper {
  /** the CLI's session id, from the init line */
  sessionId: string | undefined;
  private result: ClaudeResult | undefined;
  private currentMessageId: string | undefined;
  private readonly streamedMessages = new Set<string>();
  private textSoFar = false;
  private blockStarted = false;

  get completed(): boolean {
    return this.result !== undefined;
  }

  private text(text: string, newBlock: boolean): HarnessEvent[] {
    if (text === '') return [];
    const separator = newBlock && this.textSoFar ? '\n\n' : '';
    this.textSoFar = true;
    return [{ type: 'text_delta', text: separator + text }];
  }

  map(message: unknown): readonly HarnessEvent[] {
    if (typeof message !== 'object' || message === null) return [];
    const line = message as ClaudeLine;
    if (line.parent_tool_use_id) return [];
    switch (line.type) {
      case 'system':
        return this.system(line);
      case 'stream_event':
        return this.streamEvent(line);
      case 'assistant':
        return this.assistant(line);
      case 'user':
        return this.user(line);
      case 'result':
        this.result = {
          subtype: line.subtype ?? 'unknown',
          isError: line.is_error === true || (line.subtype !== undefined && line.subtype !== 'success'),
          text: typeof line.result === 'string' ? line.result : (line.errors ?? []).join('; '),
          apiErrorStatus: typeof line.api_error_status === 'number' ? line.api_error_status : undefined,
          apiErrorType: typeof line.api_error_type === 'string' ? line.api_error_type : undefined,
          terminalReason: line.terminal_reason,
          usage: claudeUsage(line),
        };
        if (line.session_id) this.sessionId ??= line.session_id;
        return [];
      default:
        return [];
    }
  }

  private system(line: ClaudeLine): HarnessEvent[] {
    if (line.subtype === 'init') {
      this.sessionId = line.session_id;
      const version = line.claude_code_version ? ` ${line.claude_code_version}` : '';
      return [{ type: 'status', message: `claude${version} session ${line.session_id ?? '?'}${line.model ? ` (model ${line.model})` : ''}` }];
    }
    if (line.subtype === 'api_retry') {
      const attempt = line.attempt !== undefined ? ` (attempt ${line.attempt}${line.max_retries !== undefined ? ` of ${line.max_retries}` : ''})` : '';
      return [{ type: 'status', message: `retrying the model request${attempt}${line.error_status ? ` after HTTP ${line.error_status}` : ''}` }];
    }
    return [];
  }

  private streamEvent(line: ClaudeLine): HarnessEvent[] {
    const event = line.event;
    if (!event) return [];
    if (event.type === 'message_start') {
      this.currentMessageId = event.message?.id;
      return [];
    }
    if (event.type === 'content_block_start') {
      this.blockStarted = event.content_block?.type === 'text';
      return [];
    }
    if (event.type === 'content_block_delta' && event.delta?.type === 'text_delta' && typeof event.delta.text === 'string') {
      if (this.currentMessageId) this.streamedMessages.add(this.currentMessageId);
      const newBlock = this.blockStarted;
      this.blockStarted = false;
      return this.text(event.delta.text, newBlock);
    }
    return [];
  }

  private assistant(line: ClaudeLine): HarnessEvent[] {
    // API errors arrive as a synthetic assistant message; the result line reports them
    if (line.is_api_error_message) return [];
    const content = line.message?.content;
    if (!Array.isArray(content)) return [];
    const events: HarnessEvent[] = [];
    const streamed = line.message?.id !== undefined && this.streamedMessages.has(line.message.id);
    for (const block of content) {
      if (block.type === 'text' && typeof block.text === 'string' && !streamed) events.push(...this.text(block.text, true));
      if (block.type === 'tool_use' && typeof block.id === 'string') events.push({ type: 'tool_call', id: block.id, name: block.name ?? 'unknown', input: block.input ?? {} });
    }
    return events;
  }

  private user(line: ClaudeLine): HarnessEvent[] {
    const content = line.message?.content;
    if (!Array.isArray(content)) return [];
    return content
      .filter((block) => block.type === 'tool_result' && typeof block.tool_use_id === 'string')
      .map((block) => ({ type: 'tool_result', id: block.tool_use_id as string, output: toolOutputText(block.content), isError: block.is_error === true }));
  }

  finish(exit: CliExit): readonly HarnessEvent[] {
    const result = this.result;
    if (!result) return [{ type: 'error', code: 'cli_crashed', message: describeExit('claude', exit), retryable: true }, { type: 'done', stopReason: 'error' }];
    if (result.isError) {
      const refusal = gatewayRefusal({ status: result.apiErrorStatus, text: result.apiErrorType === 'budget_exceeded' ? `budget_exceeded ${result.text}` : result.text });
      if (refusal) {
        return [
          { type: 'error', code: refusal, message: refusalMessage(refusal, result.text), retryable: refusal === RATE_LIMITED },
          { type: 'done', stopReason: 'error', ...(result.usage ? { usage: result.usage } : {}) },
        ];
      }
      const code = result.apiErrorStatus !== undefined || result.terminalReason === 'api_error' ? 'model_api_error' : `claude_${result.subtype}`;
      const message = result.text || `claude ended the turn with "${result.subtype}"${result.terminalReason ? ` (${result.terminalReason})` : ''}`;
      return [
        { type: 'error', code, message, retryable: code === 'model_api_error' ? retryableStatus(result.apiErrorStatus) : false },
        { type: 'done', stopReason: 'error', ...(result.usage ? { usage: result.usage } : {}) },
      ];
    }
    return [{ type: 'done', stopReason: 'end_turn', ...(result.usage ? { usage: result.usage } : {}) }];
  }
}
