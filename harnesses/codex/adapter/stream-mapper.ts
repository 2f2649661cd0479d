/**
 * `codex exec --json` lines (JSONL "thread events", recorded against @openai/codex 0.169.0)
 * mapped to harness protocol v1 events:
 *
 * | codex line                                              | protocol event                          |
 * |---------------------------------------------------------|-----------------------------------------|
 * | `thread.started {thread_id}`                            | `status` (the thread id is kept)        |
 * | `item.started/updated/completed` agent_message          | `text_delta` (the new part of its text) |
 * | `item.started` command_execution / mcp_tool_call / web_search / file_change | `tool_call`      |
 * | `item.completed` of those                               | `tool_result` (tool_call first if unseen) |
 * | `item.completed` error, top-level `error`               | `status` (warnings, retry notices)      |
 * | `item.*` todo_list                                      | `status` (the plan)                     |
 * | `turn.completed {usage}`                                | `done end_turn` + usage                 |
 * | `turn.failed {error}`                                   | `error` then `done error`               |
 * | `turn.failed`, the gateway refused (budget, rate limit) | `error budget_exceeded` / `rate_limited` |
 * | exit without turn.completed/failed                      | `error cli_crashed`, `done error`       |
 *
 * codex exec reports an agent message whole (item.completed), not token by token, so a reply
 * usually arrives as one delta per message; messages are separated by a blank line.
 */
import { gatewayRefusal, RATE_LIMITED, refusalMessage } from '../../cli-adapter/gateway-refusal.ts';
import { describeExit, type CliExit, type CliStreamMapper } from '../../cli-adapter/run-cli.ts';
import type { HarnessEvent } from '../../protocol/types.ts';

interface CodexItem {
  readonly id?: string;
  readonly type?: string;
  readonly text?: string;
  readonly message?: string;
  readonly command?: string;
  readonly aggregated_output?: string;
  readonly exit_code?: number | null;
  readonly status?: string;
  readonly server?: string;
  readonly tool?: string;
  readonly arguments?: unknown;
  readonly result?: { readonly content?: readonly { readonly type?: string; readonly text?: string }[]; readonly structured_content?: unknown } | null;
  readonly error?: { readonly message?: string } | null;
  readonly query?: string;
  readonly changes?: readonly { readonly path?: string; readonly kind?: string }[];
  readonly items?: readonly { readonly text?: string; readonly completed?: boolean }[];
}

interface CodexLine {
  readonly type?: string;
  readonly thread_id?: string;
  readonly item?: CodexItem;
  readonly message?: string;
  readonly error?: { readonly message?: string };
  readonly usage?: { readonly input_tokens?: number; readonly cached_input_tokens?: number; readonly output_tokens?: number };
}

const TOOL_ITEMS = new Set(['command_execution', 'mcp_tool_call', 'web_search', 'file_change']);
const count = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0);

/** A turn.failed message is often the gateway's JSON error body: show its message. */
export function codexErrorMessage(raw: string | undefined): { readonly message: string; readonly type: string | undefined } {
  const text = raw ?? 'codex reported a failed turn';
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string; type?: string } };
    if (parsed.error?.message) return { message: parsed.error.message, type: parsed.error.type };
  } catch {
    /* plain text */
  }
  return { message: text, type: undefined };
}

function toolCall(item: CodexItem): HarnessEvent {
  const id = item.id ?? 'unknown';
  switch (item.type) {
    case 'command_execution':
      return { type: 'tool_call', id, name: 'shell', input: { command: item.command ?? '' } };
    case 'mcp_tool_call':
      return { type: 'tool_call', id, name: `${item.server ?? 'mcp'}/${item.tool ?? 'tool'}`, input: item.arguments ?? {} };
    case 'web_search':
      return { type: 'tool_call', id, name: 'web_search', input: { query: item.query ?? '' } };
    default:
      return { type: 'tool_call', id, name: 'apply_patch', input: { changes: item.changes ?? [] } };
  }
}

function toolResult(item: CodexItem): HarnessEvent {
  const id = item.id ?? 'unknown';
  const failed = item.status === 'failed' || item.status === 'declined';
  switch (item.type) {
    case 'command_execution':
      return { type: 'tool_result', id, output: item.aggregated_output ?? '', isError: failed || (typeof item.exit_code === 'number' && item.exit_code !== 0) };
    case 'mcp_tool_call': {
      const text = item.error?.message ?? (item.result?.content ?? []).map((c) => c.text ?? (c.type ? `[${c.type}]` : '')).join('');
      return { type: 'tool_result', id, output: text, isError: failed || Boolean(item.error) };
    }
    case 'web_search':
      return { type: 'tool_result', id, output: `searched: ${item.query ?? ''}`, isError: failed };
    default:
      return { type: 'tool_result', id, output: (item.changes ?? []).map((c) => `${c.kind ?? 'update'} ${c.path ?? '?'}`).join('\n'), isError: failed };
  }
}

export class CodexStreamMapper implements CliStreamMapper {
  /** the codex thread id, from thread.started */
  threadId: string | undefined;
  private outcome: { readonly ok: true; readonly usage: { readonly inputTokens: number; readonly outputTokens: number } | undefined } | { readonly ok: false; readonly message: string } | undefined;
  private readonly emittedText = new Map<string, string>();
  private readonly calledTools = new Set<string>();
  private textSoFar = false;

  get completed(): boolean {
    return this.outcome !== undefined;
  }

  map(message: unknown): readonly HarnessEvent[] {
    if (typeof message !== 'object' || message === null) return [];
    const line = message as CodexLine;
    switch (line.type) {
      case 'thread.started':
        this.threadId = line.thread_id;
        return [{ type: 'status', message: `codex thread ${line.thread_id ?? '?'}` }];
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        return line.item ? this.item(line.item, line.type === 'item.completed') : [];
      case 'error':
        return [{ type: 'status', message: `codex: ${line.message ?? 'error'}` }];
      case 'turn.completed':
        this.outcome = { ok: true, usage: line.usage ? { inputTokens: count(line.usage.input_tokens), outputTokens: count(line.usage.output_tokens) } : undefined };
        return [];
      case 'turn.failed':
        this.outcome = { ok: false, message: line.error?.message ?? 'codex reported a failed turn' };
        return [];
      default:
        return [];
    }
  }

  private item(item: CodexItem, completed: boolean): HarnessEvent[] {
    const id = item.id ?? '';
    if (item.type === 'agent_message' && typeof item.text === 'string') {
      const before = this.emittedText.get(id) ?? '';
      // only the new part; a rewritten message (not a continuation) is sent from where it differs
      const fresh = item.text.startsWith(before) ? item.text.slice(before.length) : item.text;
      if (fresh === '') return [];
      const separator = before === '' && this.textSoFar ? '\n\n' : '';
      this.emittedText.set(id, item.text);
      this.textSoFar = true;
      return [{ type: 'text_delta', text: separator + fresh }];
    }
    if (item.type !== undefined && TOOL_ITEMS.has(item.type)) {
      const events: HarnessEvent[] = [];
      if (!this.calledTools.has(id)) {
        this.calledTools.add(id);
        events.push(toolCall(item));
      }
      if (completed) events.push(toolResult(item));
      return events;
    }
    if (item.type === 'todo_list' && item.items) {
      return [{ type: 'status', message: `plan: ${item.items.map((t) => `${t.completed ? '[x]' : '[ ]'} ${t.text ?? ''}`).join('; ')}` }];
    }
    if (item.type === 'error' && completed) return [{ type: 'status', message: `codex: ${item.message ?? 'warning'}` }];
    return [];
  }

  finish(exit: CliExit): readonly HarnessEvent[] {
    const outcome = this.outcome;
    if (!outcome) return [{ type: 'error', code: 'cli_crashed', message: describeExit('codex', exit), retryable: true }, { type: 'done', stopReason: 'error' }];
    if (!outcome.ok) {
      const { message, type } = codexErrorMessage(outcome.message);
      // codex prints e.g. "unexpected status 400 Bad Request: {body}" or the body alone
      const status = /\bstatus:? (\d{3})\b/i.exec(outcome.message)?.[1];
      const refusal = gatewayRefusal({ status: status ? Number(status) : undefined, text: `${type ?? ''} ${outcome.message}` });
      if (refusal) return [{ type: 'error', code: refusal, message: refusalMessage(refusal, message), retryable: refusal === RATE_LIMITED }, { type: 'done', stopReason: 'error' }];
      const refused = type === 'invalid_request_error' || type === 'authentication_error' || type === 'permission_error';
      return [
        { type: 'error', code: type ? 'model_api_error' : 'codex_turn_failed', message, retryable: !refused },
        { type: 'done', stopReason: 'error' },
      ];
    }
    return [{ type: 'done', stopReason: 'end_turn', ...(outcome.usage ? { usage: outcome.usage } : {}) }];
  }
}
