/**
 * The client's copy of a session's event log: events are applied exactly once and in seq order,
 * whatever the network does. A stream that resumes (after a drop, a reload or a runtime
 * restart) asks for `after = lastSeq`; an event at or below it is a duplicate and is dropped;
 * an event beyond `lastSeq + 1` means something was missed, so the stream is restarted from
 * `lastSeq` rather than showing a conversation with a hole in it.
 */
import type { WireEvent } from './events.ts';

export interface EventLog {
  /** the seq of the last event applied (0: none); the resume cursor */
  readonly lastSeq: number;
  /** a session_ended was applied: the stream will not resume */
  readonly ended: boolean;
}

export type Accepted =
  | { readonly outcome: 'applied'; readonly log: EventLog }
  | { readonly outcome: 'duplicate'; readonly log: EventLog }
  | { readonly outcome: 'gap'; readonly log: EventLog; readonly expected: number; readonly got: number };

export const emptyLog: EventLog = { lastSeq: 0, ended: false };

export function acceptEvent(log: EventLog, event: WireEvent): Accepted {
  if (event.seq <= log.lastSeq) return { outcome: 'duplicate', log };
  if (event.seq !== log.lastSeq + 1) return { outcome: 'gap', log, expected: log.lastSeq + 1, got: event.seq };
  return { outcome: 'applied', log: { lastSeq: event.seq, ended: log.ended || event.type === 'session_ended' } };
}

/** Applies a batch; stops at the first gap (the caller resumes from `log.lastSeq`). */
export function acceptEvents(log: EventLog, events: readonly WireEvent[]): { log: EventLog; applied: WireEvent[]; duplicates: number; gap: boolean } {
  const applied: WireEvent[] = [];
  let duplicates = 0;
  for (const event of events) {
    const result = acceptEvent(log, event);
    if (result.outcome === 'gap') return { log, applied, duplicates, gap: true };
    if (result.outcome === 'duplicate') duplicates++;
    else applied.push(event);
    log = result.log;
  }
  return { log, applied, duplicates, gap: false };
}
