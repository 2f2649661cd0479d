/**
 * The scripted agent: deterministic replies, no model. Directives at the start of the input
 * make it misbehave on purpose, so the runtime's failure handling can be tested for real:
 *   /crash      exit the process mid-turn (after the first delta)
 *   /hang       stream nothing more until aborted
 *   /slow <ms>  wait <ms> between deltas (0..60000)
 *   /tool       emit a tool call and its result before replying
 *   /error      emit an error event and end the turn with stopReason "error"
 *   /recall     reply with the history it was handed instead of an echo
 *   /burst <n>  stream <n> one-word deltas as fast as it can (1..100000; for benchmarks)
 *   /budget     end the turn as a gateway refusal for budget would (error budget_exceeded)
 *   /ratelimit  end the turn as a gateway refusal for rate limits would (error rate_limited)
 * Every finished turn reports deterministic usage: tokens are words, and the cost is priced at
 * SCRIPTED_PRICE_PER_MILLION, so usage accounting can be tested end to end without a model.
 * Directives combine (`/slow 50 /tool hi`); the rest of the input is the message.
 */
import type { HarnessEvent, HistoryMessage, TurnRequest } from '../protocol/types.ts';

export interface Directives {
  readonly crash: boolean;
  readonly hang: boolean;
  readonly slowMs: number;
  readonly tool: boolean;
  readonly error: boolean;
  readonly recall: boolean;
  readonly burst: number;
  /** refuse the turn as the model gateway would */
  readonly refuse: 'budget' | 'ratelimit' | undefined;
  /** the input without its directives */
  readonly message: string;
}

const MAX_SLOW_MS = 60_000;
const MAX_BURST = 100_000;

export function parseDirectives(input: string): Directives {
  const directives: { -readonly [K in Exclude<keyof Directives, 'message'>]: Directives[K] } = { crash: false, hang: false, slowMs: 0, tool: false, error: false, recall: false, burst: 0, refuse: undefined };
  const tokens = input.trim().split(/\s+/).filter((t) => t.length > 0);
  let i = 0;
  for (; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '/crash') directives.crash = true;
    else if (token === '/hang') directives.hang = true;
    else if (token === '/tool') directives.tool = true;
    else if (token === '/error') directives.error = true;
    else if (token === '/recall') directives.recall = true;
    else if (token === '/budget') directives.refuse = 'budget';
    else if (token === '/ratelimit') directives.refuse = 'ratelimit';
    else if (token === '/slow' && /^\d+$/.test(tokens[i + 1] ?? '')) {
      directives.slowMs = Math.min(Number(tokens[i + 1]), MAX_SLOW_MS);
      i++;
    } else if (token === '/burst' && /^\d+$/.test(tokens[i + 1] ?? '')) {
      directives.burst = Math.max(1, Math.min(Number(tokens[i + 1]), MAX_BURST));
      i++;
    } else break;
  }
  return { ...directives, message: tokens.slice(i).join(' ') };
}

export function recallText(history: readonly HistoryMessage[]): string {
  if (history.length === 0) return 'I remember nothing: no history was handed to me.';
  return `I remember ${history.length} messages: ${history.map((m) => `${m.role}: ${m.text}`).join(' | ')}`;
}

/** The reply text, split into the deltas it is streamed as (word by word, spaces kept). */
export function replyDeltas(turn: TurnRequest, directives: Directives): string[] {
  const text = directives.recall ? recallText(turn.history) : `I heard: ${directives.message} (turn ${turn.turn}, ${turn.history.length} history messages)`;
  return text.split(/(?<= )/);
}

export interface ScriptEffects {
  /** resolves after `ms`, or early when the signal aborts */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** ends the process as a crashing agent would */
  crash(): Promise<never>;
}

const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** USD per million "tokens" (words) the scripted agent charges, in and out. */
export const SCRIPTED_PRICE_PER_MILLION = { input: 3, output: 15 } as const;

/** The scripted agent's usage for a turn: words as tokens, priced deterministically. */
export function scriptedUsage(inputTokens: number, outputTokens: number): { inputTokens: number; outputTokens: number; costUsd: number } {
  const cost = (inputTokens * SCRIPTED_PRICE_PER_MILLION.input + outputTokens * SCRIPTED_PRICE_PER_MILLION.output) / 1_000_000;
  return { inputTokens, outputTokens, costUsd: Math.round(cost * 1e9) / 1e9 };
}

export async function* scriptedTurn(turn: TurnRequest, signal: AbortSignal, effects: ScriptEffects): AsyncGenerator<HarnessEvent> {
  const directives = parseDirectives(turn.input);
  yield { type: 'status', message: `scripted agent: turn ${turn.turn}, ${turn.history.length} history messages` };
  if (directives.tool) {
    const id = `call-${turn.turn}-1`;
    yield { type: 'tool_call', id, name: 'echo', input: { text: directives.message } };
    yield { type: 'tool_result', id, output: directives.message, isError: false };
  }
  if (directives.error) {
    yield { type: 'error', code: 'scripted_error', message: 'the scripted agent was told to fail (/error)', retryable: false };
    yield { type: 'done', stopReason: 'error' };
    return;
  }
  if (directives.refuse === 'budget') {
    yield { type: 'error', code: 'budget_exceeded', message: "the team's model budget is used up (/budget)", retryable: false };
    yield { type: 'done', stopReason: 'error' };
    return;
  }
  if (directives.refuse === 'ratelimit') {
    yield { type: 'error', code: 'rate_limited', message: "the team's model rate limit was reached (/ratelimit)", retryable: true };
    yield { type: 'done', stopReason: 'error' };
    return;
  }
  if (directives.hang) {
    yield { type: 'status', message: 'hanging until aborted (/hang)' };
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return;
  }
  if (directives.burst > 0) {
    for (let n = 0; n < directives.burst; n++) {
      if (signal.aborted) return;
      yield { type: 'text_delta', text: 'word ' };
    }
    yield { type: 'done', stopReason: 'end_turn', usage: scriptedUsage(wordCount(turn.input), directives.burst) };
    return;
  }
  const deltas = replyDeltas(turn, directives);
  for (const [index, text] of deltas.entries()) {
    if (signal.aborted) return;
    if (index > 0 && directives.slowMs > 0) await effects.sleep(directives.slowMs, signal);
    if (signal.aborted) return;
    yield { type: 'text_delta', text };
    if (directives.crash) await effects.crash();
  }
  const inputTokens = wordCount(turn.input) + turn.history.reduce((sum, m) => sum + wordCount(m.text), 0);
  yield { type: 'done', stopReason: 'end_turn', usage: scriptedUsage(inputTokens, wordCount(deltas.join(''))) };
}
