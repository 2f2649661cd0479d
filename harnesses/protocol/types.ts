/** Harness protocol v1 wire types (docs/harness-protocol-v1.md). */
export const HARNESS_PROTOCOL = 'paddock.harness/v1';

/** A bind token is at least this long (POST /v1/bind). */
export const MIN_TOKEN_LENGTH = 32;
/** Request bodies above this size answer 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface HistoryMessage {
  readonly role: 'user' | 'assistant';
  readonly text: string;
}

export interface TurnRequest {
  readonly sessionId: string;
  readonly turn: number;
  readonly input: string;
  readonly history: readonly HistoryMessage[];
}

export interface BindRequest {
  readonly token: string;
}

export interface AbortRequest {
  readonly sessionId?: string;
  readonly turn?: number;
}

export type StopReason = 'end_turn' | 'aborted' | 'error';

/**
 * What a turn consumed, as the agent's CLI reported it: tokens in (prompt, including cached
 * and cache-creation tokens) and out, and the cost in USD when the CLI or gateway knows it.
 */
export interface TurnUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd?: number;
}

export type HarnessEvent =
  | { readonly type: 'status'; readonly message: string }
  | { readonly type: 'text_delta'; readonly text: string }
  | { readonly type: 'tool_call'; readonly id: string; readonly name: string; readonly input: unknown }
  | { readonly type: 'tool_result'; readonly id: string; readonly output: string; readonly isError: boolean }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly retryable: boolean }
  | { readonly type: 'done'; readonly stopReason: StopReason; readonly usage?: TurnUsage };

export type HarnessEventType = HarnessEvent['type'];
export type DoneEvent = Extract<HarnessEvent, { type: 'done' }>;

export interface HealthResponse {
  readonly status: 'ok';
  readonly protocol: typeof HARNESS_PROTOCOL;
  readonly harness: string;
  readonly bound: boolean;
  readonly busy: boolean;
}

/** `GET /v1/status` (authenticated): lets the runtime check a sandbox is alive *and ours*. */
export interface StatusResponse {
  readonly protocol: typeof HARNESS_PROTOCOL;
  readonly harness: string;
  readonly busy: boolean;
  readonly turn: { readonly sessionId: string; readonly turn: number } | null;
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}
