/** The console's event log: every event once, in seq order, a gap detected, the end noticed. */
import { describe, expect, it } from 'vitest';
import { acceptEvent, acceptEvents, emptyLog } from '../../console/src/event-log.ts';
import type { WireEvent } from '../../console/src/events.ts';

const at = '2026-12-04T12:00:00.000Z';
const delta = (seq: number, text = `t${seq}`): WireEvent => ({ seq, turn: 1, type: 'text_delta', text, createdAt: at });

describe('acceptEvent', () => {
  it('applies the next seq and moves the cursor', () => {
    const first = acceptEvent(emptyLog, delta(1));
    expect(first).toEqual({ outcome: 'applied', log: { lastSeq: 1, ended: false } });
  });

  it('drops an event at or below the cursor as a duplicate, leaving the log as it was', () => {
    const log = { lastSeq: 5, ended: false };
    expect(acceptEvent(log, delta(5))).toEqual({ outcome: 'duplicate', log });
    expect(acceptEvent(log, delta(2)).outcome).toBe('duplicate');
  });

  it('reports a gap instead of skipping over missing events', () => {
    expect(acceptEvent({ lastSeq: 3, ended: false }, delta(5))).toEqual({ outcome: 'gap', log: { lastSeq: 3, ended: false }, expected: 4, got: 5 });
  });

  it('marks the log ended at session_ended', () => {
    const result = acceptEvent({ lastSeq: 1, ended: false }, { seq: 2, turn: null, type: 'session_ended', state: 'ended', createdAt: at });
    expect(result.log).toEqual({ lastSeq: 2, ended: true });
  });
});

describe('acceptEvents (a resumed stream overlapping what was seen)', () => {
  it('applies only the new events of an overlapping replay, once each', () => {
    const seen = acceptEvents(emptyLog, [delta(1), delta(2), delta(3)]);
    expect(seen.applied.map((e) => e.seq)).toEqual([1, 2, 3]);
    const replay = acceptEvents(seen.log, [delta(2), delta(3), delta(4), delta(5)]);
    expect(replay.applied.map((e) => e.seq)).toEqual([4, 5]);
    expect(replay.duplicates).toBe(2);
    expect(replay.log.lastSeq).toBe(5);
  });

  it('stops at a gap and keeps what came before it', () => {
    const result = acceptEvents(emptyLog, [delta(1), delta(2), delta(4), delta(5)]);
    expect(result).toMatchObject({ gap: true, log: { lastSeq: 2 } });
    expect(result.applied.map((e) => e.seq)).toEqual([1, 2]);
  });
});
