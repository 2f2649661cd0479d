/**
 * What a session's event log holds: the harness protocol events of every turn, plus the
 * runtime's own records (the user's message, turn starts, sandbox changes, the session's end).
 * Each turn's events end with exactly one `done`, whoever wrote it (the harness, or the runtime
 * when the turn was aborted, interrupted or its sandbox was lost).
 */
import type { HarnessEvent } from '../harnesses/protocol/types.ts';

export type RuntimeEvent =
  | { readonly type: 'user_message'; readonly text: string }
  | { readonly type: 'turn_started'; readonly attempt: number; readonly sandboxGeneration: number }
  | { readonly type: 'sandbox'; readonly action: 'acquired' | 'lost'; readonly generation: number; readonly reason?: string }
  | { readonly type: 'session_ended'; readonly state: 'ended' | 'failed'; readonly code?: string; readonly message?: string };

export type SessionEvent = HarnessEvent | RuntimeEvent;
export type SessionEventType = SessionEvent['type'];

/** An event as stored: its place in the session (`seq`) and turn. */
export interface StoredEvent {
  readonly sessionId: string;
  readonly seq: number;
  readonly turn: number | null;
  readonly event: SessionEvent;
  readonly createdAt: Date;
}

/** The wire form (JSON pages and SSE data): flat, in a stable key order (seq, turn, type, ...). */
export function eventToJson(stored: StoredEvent): Record<string, unknown> {
  const { type, ...fields } = stored.event;
  return { seq: stored.seq, turn: stored.turn, type, ...fields, createdAt: stored.createdAt.toISOString() };
}
