/** Request bodies and query parameters of the runtime API, validated strictly. */
import { z } from 'zod';

export const MAX_MESSAGE_CHARS = 256 * 1024;
export const API_MAX_BODY_BYTES = 512 * 1024;

/**
 * Text Postgres can store: no NUL character (text and jsonb refuse it) and no lone UTF-16
 * surrogate (not valid Unicode; jsonb refuses it). Refused here with a 400 naming the field,
 * instead of a database error for the request — and, for a message, for every other message
 * group-committed in the same statement (api/enqueue-group-commit.ts).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const storableText = (schema: z.ZodString) =>
  schema.refine((s) => !s.includes('\0'), 'must not contain the NUL character (U+0000)').refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode (a lone UTF-16 surrogate is not)');

const harnessName = z.string().min(1, 'must not be empty').max(63, 'is longer than 63 characters');
const title = storableText(z.string().max(200, 'is longer than 200 characters'));

export const createSessionBody = z.strictObject({ harness: harnessName, title: title.optional() });
/** The admin token has no team of its own: it names one. */
export const adminCreateSessionBody = z.strictObject({ team: z.string().min(1), harness: harnessName, title: title.optional() });
export const messageBody = z.strictObject({
  text: storableText(z.string().min(1, 'must not be empty').max(MAX_MESSAGE_CHARS, `is longer than ${MAX_MESSAGE_CHARS} characters`)),
});
export const abortBody = z.strictObject({});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export const SESSION_STATES = ['active', 'ended', 'failed'] as const;
