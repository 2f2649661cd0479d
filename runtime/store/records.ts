/** Rows of the runtime's tables as the rest of the runtime sees them. */

export type SessionState = 'active' | 'ended' | 'failed';
export type TurnState = 'queued' | 'running' | 'completed' | 'failed' | 'aborted' | 'interrupted';
export const UNFINISHED_TURN_STATES: readonly TurnState[] = ['queued', 'running'];

export interface SessionRecord {
  readonly id: string;
  readonly team: string;
  readonly harness: string;
  readonly title: string | null;
  readonly state: SessionState;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly lastTurn: number;
  readonly lastSeq: number;
  readonly sandboxGeneration: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly endedAt: Date | null;
}

export interface TurnRecord {
  readonly sessionId: string;
  readonly turn: number;
  readonly input: string;
  readonly state: TurnState;
  readonly dispatched: boolean;
  readonly attempts: number;
  readonly abortRequested: boolean;
  readonly output: string;
  readonly stopReason: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly leaseOwner: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

export interface SessionRow {
  id: string;
  team: string;
  harness: string;
  title: string | null;
  state: SessionState;
  error_code: string | null;
  error_message: string | null;
  last_turn: number;
  last_seq: number;
  sandbox_generation: number;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

export interface TurnRow {
  session_id: string;
  turn: number;
  input: string;
  state: TurnState;
  dispatched: boolean;
  attempts: number;
  abort_requested: boolean;
  output: string;
  stop_reason: string | null;
  error_code: string | null;
  error_message: string | null;
  lease_owner: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export function sessionFromRow(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    team: row.team,
    harness: row.harness,
    title: row.title,
    state: row.state,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    lastTurn: row.last_turn,
    lastSeq: row.last_seq,
    sandboxGeneration: row.sandbox_generation,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
  };
}

export function turnFromRow(row: TurnRow): TurnRecord {
  return {
    sessionId: row.session_id,
    turn: row.turn,
    input: row.input,
    state: row.state,
    dispatched: row.dispatched,
    attempts: row.attempts,
    abortRequested: row.abort_requested,
    output: row.output,
    stopReason: row.stop_reason,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    leaseOwner: row.lease_owner,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/**
 * Column lists for statements that must not use `*` (prepared statements: db/statements.ts).
 * `satisfies` keeps them in step with the row types.
 */
export const SESSION_COLUMNS = ['id', 'team', 'harness', 'title', 'state', 'error_code', 'error_message', 'last_turn', 'last_seq', 'sandbox_generation', 'created_at', 'updated_at', 'ended_at'] as const satisfies readonly (keyof SessionRow)[];
export const TURN_COLUMNS = ['session_id', 'turn', 'input', 'state', 'dispatched', 'attempts', 'abort_requested', 'output', 'stop_reason', 'error_code', 'error_message', 'lease_owner', 'created_at', 'started_at', 'finished_at'] as const satisfies readonly (keyof TurnRow)[];

/** `a.x, a.y, …` for a table alias (or bare names without one). */
export function columnList(columns: readonly string[], alias?: string): string {
  return columns.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');
}
