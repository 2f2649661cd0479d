/**
 * Resume or replay? A CLI session recorded for this Paddock session is resumed only when the
 * CLI still has it (its files survive on HOME) and it saw the turn just before this one; any
 * gap (turns that ran in another sandbox) or loss of the files falls back to replaying the
 * history the runtime handed over, so the agent never continues from a stale state.
 */
import type { TurnRequest } from '../protocol/types.ts';
import { replayPrompt } from './replay.ts';
import type { CliSessionRecord } from './session-store.ts';

export type ContinuityPlan =
  | { readonly mode: 'resume'; readonly cliSessionId: string; readonly prompt: string }
  | { readonly mode: 'replay'; readonly prompt: string; readonly replayed: number; readonly reason: string };

export function planContinuity(turn: TurnRequest, record: CliSessionRecord | undefined, cliStillHasIt: (cliSessionId: string) => boolean): ContinuityPlan {
  const replay = (reason: string): ContinuityPlan => ({ mode: 'replay', prompt: replayPrompt(turn.history, turn.input), replayed: turn.history.length, reason });
  if (!record) return replay(turn.history.length === 0 ? 'new conversation' : 'no CLI session in this sandbox');
  // the same turn again (a retry after an interruption) or the next one
  if (record.turn !== turn.turn && record.turn !== turn.turn - 1) return replay(`the CLI session last saw turn ${record.turn}, this is turn ${turn.turn}`);
  if (!cliStillHasIt(record.cliSessionId)) return replay(`the CLI session ${record.cliSessionId} is gone`);
  return { mode: 'resume', cliSessionId: record.cliSessionId, prompt: turn.input };
}

export function describeContinuity(plan: ContinuityPlan, cli: string): string {
  if (plan.mode === 'resume') return `resuming ${cli} session ${plan.cliSessionId}`;
  return plan.replayed > 0 ? `starting a new ${cli} session, replaying ${plan.replayed} history messages (${plan.reason})` : `starting a new ${cli} session`;
}
