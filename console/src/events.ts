/**
 * A session event as the API sends it (JSON pages and SSE `data`): the runtime's event types
 * flattened with their place in the session. Types come from the runtime so that a new field or
 * type there is a type error here, not a silent gap in the console.
 */
import type { SessionEvent } from '../../runtime/session-events.ts';

export type WireEvent = SessionEvent & {
  readonly seq: number;
  readonly turn: number | null;
  readonly createdAt: string;
};

export type WireEventOf<T extends WireEvent['type']> = Extract<WireEvent, { type: T }>;

/**
 * Parses one SSE `data` line (or a JSON page entry); anything that is not an event is refused.
 * A type this console does not know (a newer runtime) is kept: it moves the cursor like any
 * event and the view skips it, rather than stopping the stream.
 */
export function parseWireEvent(value: unknown): WireEvent {
  if (typeof value === 'string') value = JSON.parse(value) as unknown;
  if (typeof value !== 'object' || value === null) throw new Error('an event is not a JSON object');
  const event = value as { seq?: unknown; type?: unknown; turn?: unknown };
  if (typeof event.seq !== 'number' || !Number.isSafeInteger(event.seq) || event.seq < 1) throw new Error(`an event has no valid seq: ${JSON.stringify(event.seq)}`);
  if (typeof event.type !== 'string' || event.type === '') throw new Error(`event ${event.seq} has no type`);
  if (event.turn !== null && typeof event.turn !== 'number') throw new Error(`event ${event.seq} has no valid turn`);
  return value as WireEvent;
}
