/**
 * zod schemas of harness protocol v1 bodies and events. Servers validate requests with them,
 * clients validate what a harness streams back: neither side trusts the other's JSON.
 */
import { z } from 'zod';
import { MIN_TOKEN_LENGTH, type AbortRequest, type BindRequest, type HarnessEvent, type TurnRequest } from './types.ts';

export const historyMessageSchema = z.strictObject({
  role: z.enum(['user', 'assistant']),
  text: z.string(),
});

export const turnRequestSchema = z.strictObject({
  sessionId: z.string().min(1).max(200),
  turn: z.number().int().min(1),
  input: z.string(),
  history: z.array(historyMessageSchema),
}) satisfies z.ZodType<TurnRequest>;

export const bindRequestSchema = z.strictObject({
  token: z.string().min(MIN_TOKEN_LENGTH, `a bind token has at least ${MIN_TOKEN_LENGTH} characters`).max(512),
}) satisfies z.ZodType<BindRequest>;

export const abortRequestSchema = z.strictObject({
  sessionId: z.string().min(1).optional(),
  turn: z.number().int().min(1).optional(),
}) satisfies z.ZodType<AbortRequest>;

export const harnessEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), message: z.string() }),
  z.object({ type: z.literal('text_delta'), text: z.string() }),
  z.object({ type: z.literal('tool_call'), id: z.string(), name: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('tool_result'), id: z.string(), output: z.string(), isError: z.boolean() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string(), retryable: z.boolean() }),
  z.object({
    type: z.literal('done'),
    stopReason: z.enum(['end_turn', 'aborted', 'error']),
    usage: z.object({ inputTokens: z.number().int().min(0), outputTokens: z.number().int().min(0), costUsd: z.number().finite().min(0).optional() }).optional(),
  }),
]) satisfies z.ZodType<HarnessEvent>;

/** zod issues as one readable line: `history[2].role: Invalid option ...; turn: ...` */
export function describeIssues(issues: readonly z.core.$ZodIssue[], root = '(body)'): string {
  return issues
    .map((issue) => {
      const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
      const unknownKeys = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : undefined;
      return `${path || root}: ${unknownKeys ?? issue.message}`;
    })
    .join('; ');
}
