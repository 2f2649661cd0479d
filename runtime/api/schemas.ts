/** Request bodies and query parameters of the runtime API, validated strictly. */
import { z } from 'zod';

export const MAX_MESSAGE_CHARS = 256 * 1024;
export const API_MAX_BODY_BYTES = 512 * 1024;

const harnessName = z.string().min(1, 'must not be empty').max(63, 'is longer than 63 characters');
const title = z.string().max(200, 'is longer than 200 characters');

export const createSessionBody = z.strictObject({ harness: harnessName, title: title.optional() });
/** The admin token has no team of its own: it names one. */
export const adminCreateSessionBody = z.strictObject({ team: z.string().min(1), harness: harnessName, title: title.optional() });
export const messageBody = z.strictObject({
  text: z.string().min(1, 'must not be empty').max(MAX_MESSAGE_CHARS, `is longer than ${MAX_MESSAGE_CHARS} characters`),
});
export const abortBody = z.strictObject({});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export const SESSION_STATES = ['active', 'ended', 'failed'] as const;
