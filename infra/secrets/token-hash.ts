/**
 * The API token hashes the runtime controller checks bearer tokens against. Contract with the
 * runtime (config/names.ts RUNTIME_ENV.tokenHashesDir): Secret paddock-api-token-hashes in
 * paddock-system, one key per principal — `admin`, and `team.<name>` per team — whose value is
 * the lower-case hex SHA-256 of the token's UTF-8 bytes. The Secret is mounted as files, one
 * per key. Pure.
 */
import { createHash } from 'node:crypto';

export const ADMIN_TOKEN_KEY = 'admin';

export function teamTokenKey(team: string): string {
  return `team.${team}`;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
