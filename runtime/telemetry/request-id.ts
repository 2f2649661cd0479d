/**
 * The request id of an API call: the caller's `X-Request-Id` when it is a plausible id (a
 * proxy's or client's, so one id follows the call through every hop), otherwise a new UUID.
 * Echoed in the response and carried by the request's log lines, span and audit record.
 */
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/** printable, no spaces or quotes, bounded: it goes into logs and headers verbatim */
const ACCEPTED = /^[A-Za-z0-9._:/+=-]{1,128}$/;

export function requestIdFrom(header: string | readonly string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && ACCEPTED.test(value) ? value : randomUUID();
}
