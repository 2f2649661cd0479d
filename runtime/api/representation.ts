/** JSON forms of sessions and turns in API answers. */
import type { SessionRecord, TurnRecord } from '../store/records.ts';

export function sessionToJson(session: SessionRecord): Record<string, unknown> {
  return {
    id: session.id,
    team: session.team,
    harness: session.harness,
    title: session.title,
    state: session.state,
    error: session.errorCode ? { code: session.errorCode, message: session.errorMessage ?? '' } : null,
    turns: session.lastTurn,
    lastSeq: session.lastSeq,
    sandboxGeneration: session.sandboxGeneration,
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
    endedAt: session.endedAt?.toISOString() ?? null,
  };
}

export function turnToJson(turn: TurnRecord): Record<string, unknown> {
  return {
    sessionId: turn.sessionId,
    number: turn.turn,
    state: turn.state,
    stopReason: turn.stopReason,
    error: turn.errorCode ? { code: turn.errorCode, message: turn.errorMessage ?? '' } : null,
    createdAt: turn.createdAt.toISOString(),
    startedAt: turn.startedAt?.toISOString() ?? null,
    finishedAt: turn.finishedAt?.toISOString() ?? null,
  };
}
