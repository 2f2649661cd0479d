/**
 * Which session calls tools at an unusual rate, without a session label on any metric
 * (ADR 0026: labels are bounded). Every stored event of the sessions this replica runs passes
 * through here; tool calls are counted per session in 10-second slots over a 5-minute window.
 * Prometheus gets one number, the most tool calls any one session made in the window
 * (`paddock_session_tool_calls_5m_max`, alert PaddockSessionToolCallRate), and the log names the
 * session the first time it crosses the threshold in a window, so the alert's runbook can.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import type { StoredEvent } from '../session-events.ts';

export const SESSION_TOOL_CALLS_METRIC = 'paddock_session_tool_calls_5m_max';
/** tool calls by one session within the window that are worth a warning (30 a minute for 5 minutes) */
export const SESSION_TOOL_CALLS_THRESHOLD = 150;
export const TOOL_CALL_WINDOW_MS = 5 * 60_000;
const SLOT_MS = 10_000;
const SLOTS = TOOL_CALL_WINDOW_MS / SLOT_MS;

interface SessionSlots {
  /** tool calls per slot, indexed by slot number modulo SLOTS */
  readonly counts: number[];
  /** the slot number each entry of `counts` belongs to */
  readonly slots: number[];
  /** the window start (slot number) in which the session was last reported */
  reportedAt: number | undefined;
}

export class SessionToolCallRate {
  private readonly sessions = new Map<string, SessionSlots>();

  constructor(
    registry: Registry,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly threshold = SESSION_TOOL_CALLS_THRESHOLD,
  ) {
    const rate = this;
    new Gauge({
      name: SESSION_TOOL_CALLS_METRIC,
      help: 'The most tool calls one session running on this replica made in the last 5 minutes (the log names a session over the threshold).',
      registers: [registry],
      collect() {
        this.set(rate.max());
      },
    });
  }

  /** Counts the tool calls among a session's newly stored events. */
  observe(sessionId: string, events: readonly StoredEvent[]): void {
    let calls = 0;
    for (const stored of events) if (stored.event.type === 'tool_call') calls++;
    if (calls === 0) return;
    const slot = Math.floor(this.now() / SLOT_MS);
    let entry = this.sessions.get(sessionId);
    if (!entry) {
      // without scrapes (dev mode) nothing else forgets idle sessions
      if (this.sessions.size >= 1024) this.max();
      entry = { counts: new Array<number>(SLOTS).fill(0), slots: new Array<number>(SLOTS).fill(-1), reportedAt: undefined };
      this.sessions.set(sessionId, entry);
    }
    const index = slot % SLOTS;
    if (entry.slots[index] !== slot) {
      entry.slots[index] = slot;
      entry.counts[index] = 0;
    }
    entry.counts[index]! += calls;
    const total = this.total(entry, slot);
    // once per window per session: a runaway agent must not flood the log
    if (total > this.threshold && (entry.reportedAt === undefined || slot - entry.reportedAt >= SLOTS)) {
      entry.reportedAt = slot;
      this.log.warn('session calling tools at an unusual rate', { session: sessionId, toolCalls: total, windowSeconds: TOOL_CALL_WINDOW_MS / 1000, threshold: this.threshold });
    }
  }

  /** The most tool calls of one session in the window; forgets sessions that made none in it. */
  max(): number {
    const slot = Math.floor(this.now() / SLOT_MS);
    let max = 0;
    for (const [sessionId, entry] of this.sessions) {
      const total = this.total(entry, slot);
      if (total === 0) this.sessions.delete(sessionId);
      else max = Math.max(max, total);
    }
    return max;
  }

  private total(entry: SessionSlots, slot: number): number {
    let sum = 0;
    for (let i = 0; i < SLOTS; i++) if (entry.slots[i]! > slot - SLOTS) sum += entry.counts[i]!;
    return sum;
  }
}
