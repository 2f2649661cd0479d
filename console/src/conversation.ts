/**
 * Events to what the session view shows: turns, each with the user's message and, in order, the
 * agent's text (deltas assembled into one block until something else happens), tool calls
 * paired with their results, status lines, sandbox changes and errors, and the turn's state.
 * Pure and incremental: applying events one at a time gives the same view as applying them all
 * at once, so a stream that replays from the start after a reload rebuilds exactly the view it
 * had.
 */
import type { WireEvent, WireEventOf } from './events.ts';

export type TurnState = 'queued' | 'running' | 'completed' | 'failed' | 'aborted' | 'interrupted';

export type Item =
  | { readonly kind: 'text'; readonly seq: number; readonly text: string }
  | { readonly kind: 'tool'; readonly seq: number; readonly id: string; readonly name: string; readonly input: unknown; readonly result?: { readonly output: string; readonly isError: boolean } }
  | { readonly kind: 'status'; readonly seq: number; readonly message: string }
  | { readonly kind: 'error'; readonly seq: number; readonly code: string; readonly message: string; readonly retryable: boolean }
  | { readonly kind: 'sandbox'; readonly seq: number; readonly action: 'acquired' | 'replaced' | 'lost'; readonly generation: number; readonly reason?: string };

export interface TurnView {
  readonly number: number;
  readonly userText: string;
  /** when the message was stored (ISO 8601) */
  readonly sentAt?: string;
  readonly state: TurnState;
  readonly attempts: number;
  readonly items: readonly Item[];
  /** what the turn consumed, when the harness reported it with its done */
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number; readonly costUsd?: number };
}

export interface ConversationView {
  readonly turns: readonly TurnView[];
  /** events that belong to no turn (a sandbox change between turns) */
  readonly sessionItems: readonly Item[];
  readonly ended?: { readonly state: 'ended' | 'failed'; readonly code?: string; readonly message?: string };
}

export const emptyConversation: ConversationView = { turns: [], sessionItems: [] };

/** codes the runtime writes when a turn stopped because the runtime did, not the agent */
const INTERRUPTION_CODES = new Set(['interrupted', 'runtime_shutdown']);

function newTurn(number: number): TurnView {
  return { number, userText: '', state: 'queued', attempts: 0, items: [] };
}

function itemOf(event: WireEvent): Item | undefined {
  switch (event.type) {
    case 'status':
      return { kind: 'status', seq: event.seq, message: event.message };
    case 'error':
      return { kind: 'error', seq: event.seq, code: event.code, message: event.message, retryable: event.retryable };
    case 'sandbox': {
      const action = event.action === 'lost' ? 'lost' : event.generation > 1 ? 'replaced' : 'acquired';
      return { kind: 'sandbox', seq: event.seq, action, generation: event.generation, ...(event.reason === undefined ? {} : { reason: event.reason }) };
    }
    default:
      return undefined;
  }
}

function doneState(turn: TurnView, event: WireEventOf<'done'>): TurnState {
  if (event.stopReason === 'end_turn') return 'completed';
  if (event.stopReason === 'aborted') return 'aborted';
  const lastError = [...turn.items].reverse().find((item) => item.kind === 'error');
  return lastError?.kind === 'error' && INTERRUPTION_CODES.has(lastError.code) ? 'interrupted' : 'failed';
}

function applyToTurn(turn: TurnView, event: WireEvent): TurnView {
  switch (event.type) {
    case 'user_message':
      return { ...turn, userText: event.text, sentAt: event.createdAt };
    case 'turn_started':
      return { ...turn, state: 'running', attempts: Math.max(turn.attempts, event.attempt) };
    case 'done':
      return { ...turn, state: doneState(turn, event), ...(event.usage ? { usage: event.usage } : {}) };
    case 'text_delta': {
      const last = turn.items.at(-1);
      if (last?.kind === 'text') return { ...turn, items: [...turn.items.slice(0, -1), { ...last, text: last.text + event.text }] };
      return { ...turn, items: [...turn.items, { kind: 'text', seq: event.seq, text: event.text }] };
    }
    case 'tool_call':
      return { ...turn, items: [...turn.items, { kind: 'tool', seq: event.seq, id: event.id, name: event.name, input: event.input }] };
    case 'tool_result': {
      // the latest call with that id and no result yet; a result without its call still shows
      const index = turn.items.findLastIndex((item) => item.kind === 'tool' && item.id === event.id && item.result === undefined);
      const result = { output: event.output, isError: event.isError };
      if (index === -1) return { ...turn, items: [...turn.items, { kind: 'tool', seq: event.seq, id: event.id, name: '(unknown tool)', input: undefined, result }] };
      const call = turn.items[index]!;
      return { ...turn, items: turn.items.map((item, i) => (i === index && call.kind === 'tool' ? { ...call, result } : item)) };
    }
    default: {
      const item = itemOf(event);
      return item ? { ...turn, items: [...turn.items, item] } : turn;
    }
  }
}

export function applyEvent(view: ConversationView, event: WireEvent): ConversationView {
  if (event.type === 'session_ended') {
    return { ...view, ended: { state: event.state, ...(event.code === undefined ? {} : { code: event.code }), ...(event.message === undefined ? {} : { message: event.message }) } };
  }
  if (event.turn === null) {
    const item = itemOf(event);
    return item ? { ...view, sessionItems: [...view.sessionItems, item] } : view;
  }
  const index = view.turns.findLastIndex((t) => t.number === event.turn);
  if (index === -1) {
    const turns = [...view.turns, applyToTurn(newTurn(event.turn), event)].sort((a, b) => a.number - b.number);
    return { ...view, turns };
  }
  const turns = view.turns.slice();
  turns[index] = applyToTurn(turns[index]!, event);
  return { ...view, turns };
}

export function applyEvents(view: ConversationView, events: readonly WireEvent[]): ConversationView {
  return events.reduce(applyEvent, view);
}

/** a turn that has not finished: the one Abort stops */
export function unfinishedTurn(view: ConversationView): TurnView | undefined {
  return view.turns.find((t) => t.state === 'queued' || t.state === 'running');
}
