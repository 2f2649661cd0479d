/**
 * The SandboxClaim name of a session. Deterministic, so that a runtime that crashed between
 * creating a claim and recording the binding finds the same claim again on retry (409
 * AlreadyExists → adopt) instead of leaking a sandbox. A DNS-1123 label of at most 63
 * characters starting with a letter: a cold-started Sandbox, its Pod and its headless Service
 * are named like the claim, and Service names must be DNS-1035 labels.
 */
import { createHash } from 'node:crypto';

export const CLAIM_NAME_PREFIX = 'session-';
const MAX_NAME = 63;
const HASH_LENGTH = 12;
const CLEAN_KEY = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface ClaimIdentity {
  /** the SandboxClaim name */
  readonly name: string;
  /** the name without its prefix: a valid label value, used as the session label */
  readonly sessionKey: string;
}

/**
 * A session id that already is a short DNS-1123 label (e.g. a UUID) is used as it is; any
 * other id becomes a readable slug plus a 12-hex sha256 suffix, which keeps distinct ids
 * distinct (the runtime generates the ids, so a deliberate collision is not a concern).
 */
export function claimIdentityForSession(sessionId: string): ClaimIdentity {
  if (sessionId.length === 0) throw new Error('cannot name a SandboxClaim for an empty session id');
  const room = MAX_NAME - CLAIM_NAME_PREFIX.length;
  if (CLEAN_KEY.test(sessionId) && sessionId.length <= room) {
    return { name: CLAIM_NAME_PREFIX + sessionId, sessionKey: sessionId };
  }
  const hash = createHash('sha256').update(sessionId, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  const slug = sessionId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, room - HASH_LENGTH - 1)
    .replace(/^-+|-+$/g, '');
  const sessionKey = slug ? `${slug}-${hash}` : hash;
  return { name: CLAIM_NAME_PREFIX + sessionKey, sessionKey };
}
