/**
 * API authentication: bearer tokens, known only as sha256 hashes (the Secret
 * paddock-api-token-hashes, or dev mode's hashes of tokens.json). A presented token is hashed
 * and compared with every known hash in constant time, so timing reveals neither which hash
 * matched nor how much of it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../harnesses/protocol/http.ts';

export type Principal = { readonly kind: 'admin' } | { readonly kind: 'team'; readonly team: string };

export interface TokenHashes {
  /** hex sha256 of admin tokens (several during a rotation) */
  readonly admin: readonly string[];
  readonly teams: ReadonlyMap<string, readonly string[]>;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
export const TOKEN_PREFIX = 'pdk_';

/** A new API token: 256 random bits, URL-safe, recognisable by its prefix. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return sha256Hex(token);
}

export type Authenticator = (token: string | undefined) => Principal | undefined;

export function createAuthenticator(hashes: TokenHashes): Authenticator {
  const entries: Array<{ digest: Buffer; principal: Principal }> = [];
  for (const hash of hashes.admin) entries.push({ digest: Buffer.from(hash, 'hex'), principal: { kind: 'admin' } });
  for (const [team, list] of hashes.teams) for (const hash of list) entries.push({ digest: Buffer.from(hash, 'hex'), principal: { kind: 'team', team } });
  return (token) => {
    if (token === undefined || token.length === 0 || token.length > 512) return undefined;
    const presented = Buffer.from(sha256Hex(token), 'hex');
    let found: Principal | undefined;
    // no early exit: every comparison runs whatever matches
    for (const entry of entries) {
      if (timingSafeEqual(presented, entry.digest) && found === undefined) found = entry.principal;
    }
    return found;
  };
}

/**
 * The 401 message for a request that presented no valid token: what is missing or wrong with
 * its Authorization header. It names a scheme the client used, never the token.
 */
export function unauthenticatedMessage(header: string | undefined): string {
  if (header === undefined || header.trim() === '') return 'missing "Authorization: Bearer <token>"';
  const [first, ...rest] = header.trim().split(/\s+/);
  if (/^bearer$/i.test(first!)) return rest.length === 1 ? 'invalid API token' : 'the Authorization header must be "Bearer <token>": one token after the scheme';
  if (rest.length === 0) return 'the Authorization header has no scheme: send "Authorization: Bearer <token>" (the word Bearer, a space, then the token)';
  const scheme = /^[A-Za-z][A-Za-z0-9-]{0,19}$/.test(first!) ? `the "${first}" scheme` : 'another scheme';
  return `the Authorization header uses ${scheme}; this API takes "Authorization: Bearer <token>"`;
}

export class TokenHashesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenHashesError';
  }
}

/**
 * Reads the mounted Secret: one file per key, `admin` and `team.<name>`, each holding one or
 * more hex sha256 digests separated by whitespace (several during a rotation). Kubernetes'
 * `..data` bookkeeping entries are skipped. Hashes of teams the config does not know are
 * reported by `unknownTeams` and ignored.
 */
export function readTokenHashesDir(dir: string, knownTeams: readonly string[]): { hashes: TokenHashes; unknownTeams: string[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new TokenHashesError(`token hashes directory ${dir} does not exist`);
  const admin: string[] = [];
  const teams = new Map<string, string[]>();
  const unknownTeams: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const digests = readFileSync(path, 'utf8').split(/\s+/).filter(Boolean).map((d) => d.toLowerCase());
    const bad = digests.find((d) => !HEX_SHA256.test(d));
    if (bad !== undefined) throw new TokenHashesError(`${path}: expected hex sha256 digests (64 hex characters), found a value of ${bad.length} characters`);
    if (name === 'admin') admin.push(...digests);
    else if (name.startsWith('team.')) {
      const team = name.slice('team.'.length);
      if (!knownTeams.includes(team)) unknownTeams.push(team);
      else teams.set(team, [...(teams.get(team) ?? []), ...digests]);
    } else throw new TokenHashesError(`${path}: unexpected key "${name}" (expected "admin" or "team.<name>")`);
  }
  if (admin.length === 0 && teams.size === 0) throw new TokenHashesError(`${dir} holds no token hashes: nobody could use the API`);
  return { hashes: { admin, teams }, unknownTeams };
}
