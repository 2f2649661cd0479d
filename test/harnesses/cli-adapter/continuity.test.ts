/** Resume-or-replay decisions and the replayed prompt. */
import { describe, expect, it } from 'vitest';
import { describeContinuity, planContinuity } from '../../../harnesses/cli-adapter/continuity.ts';
import { replayPrompt } from '../../../harnesses/cli-adapter/replay.ts';
import type { TurnRequest } from '../../../harnesses/protocol/types.ts';

const history = [
  { role: 'user' as const, text: 'remember the word OKAPI' },
  { role: 'assistant' as const, text: 'OK.' },
];
const turn = (n: number, h = history): TurnRequest => ({ sessionId: 's', turn: n, input: 'what word?', history: h });
const record = (n: number) => ({ cliSessionId: 'cli-1', turn: n, updatedAt: '2026-01-01T00:00:00Z' });

describe('planContinuity', () => {
  it('resumes the CLI session that saw the previous turn (or this turn, on a retry) and sends only the input', () => {
    expect(planContinuity(turn(2), record(1), () => true)).toEqual({ mode: 'resume', cliSessionId: 'cli-1', prompt: 'what word?' });
    expect(planContinuity(turn(2), record(2), () => true).mode).toBe('resume');
  });

  it('replays the history when there is no CLI session, a gap in turns, or the CLI lost its files', () => {
    expect(planContinuity(turn(1, []), undefined, () => true)).toMatchObject({ mode: 'replay', prompt: 'what word?', replayed: 0, reason: 'new conversation' });
    expect(planContinuity(turn(3), undefined, () => true)).toMatchObject({ mode: 'replay', replayed: 2, reason: 'no CLI session in this sandbox' });
    expect(planContinuity(turn(5), record(2), () => true)).toMatchObject({ mode: 'replay', reason: 'the CLI session last saw turn 2, this is turn 5' });
    expect(planContinuity(turn(3), record(2), () => false)).toMatchObject({ mode: 'replay', reason: 'the CLI session cli-1 is gone' });
  });

  it('describes the decision for the status event', () => {
    expect(describeContinuity(planContinuity(turn(2), record(1), () => true), 'claude')).toBe('resuming claude session cli-1');
    expect(describeContinuity(planContinuity(turn(3), undefined, () => true), 'codex')).toBe('starting a new codex session, replaying 2 history messages (no CLI session in this sandbox)');
    expect(describeContinuity(planContinuity(turn(1, []), undefined, () => true), 'codex')).toBe('starting a new codex session');
  });
});

describe('replayPrompt', () => {
  it('is the bare input without history', () => {
    expect(replayPrompt([], 'hi')).toBe('hi');
  });

  it('puts the transcript first, in order and tagged by role, and the new message last', () => {
    const prompt = replayPrompt(history, 'what word?');
    expect(prompt.indexOf('<message role="user">\nremember the word OKAPI\n</message>')).toBeGreaterThan(prompt.indexOf('<conversation_history>'));
    expect(prompt.indexOf('<message role="assistant">\nOK.\n</message>')).toBeGreaterThan(prompt.indexOf('OKAPI'));
    expect(prompt.endsWith('<current_message>\nwhat word?\n</current_message>')).toBe(true);
  });
});
