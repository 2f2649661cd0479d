/** Harness protocol v1 wire types (docs/harness-protocol-v1.md). */
export const HARNESS_PROTOCOL = 'paddock.harness/v1';

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

export type HarnessEvent =
  | { readonly type: 'status'; readonly message: string }
  | { readonly type: 'text_delta'; readonly text: string }
  | { readonly type: 'tool_call'; readonly id: string; readonly name: string; readonly input: unknown }
  | { readonly type: 'tool_result'; readonly id: string; readonly output: string; readonly isError: boolean }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly retryable: boolean }
  | { readonly type: 'done'; readonly stopReason: 'end_turn' | 'aborted' | 'error'; readonly usage?: { readonly inputTokens: number; readonly outputTokens: number } };

export type HarnessEventType = HarnessEvent['type'];

export interface HealthResponse {
  readonly status: 'ok';
  readonly protocol: typeof HARNESS_PROTOCOL;
  readonly harness: string;
  readonly bound: boolean;
  readonly busy: boolean;
}
