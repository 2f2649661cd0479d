/** Rotating API tokens without a restart: the runtime follows its mounted Secret's files. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashToken, readTokenHashesDir, type TokenHashes } from '../../runtime/auth.ts';
import { createLogger } from '../../runtime/log.ts';
import { watchTokenHashes } from '../../runtime/token-hashes-watcher.ts';
import { startTestPostgres, type TestPostgres } from './support/postgres.ts';
import { Api, startTestRuntime, tempDir, TOKENS, type TestRuntime } from './support/runtime.ts';

const ROTATED = 'pdk_rotated-alpha-token-000000000000000000000';
let pg: TestPostgres;
let replica: TestRuntime;
let dir: string;
let startHashes: TokenHashes;
beforeAll(async () => {
  dir = tempDir('auth');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'admin'), hashToken(TOKENS.admin));
  writeFileSync(join(dir, 'team.alpha'), hashToken(TOKENS.alpha));
  pg = await startTestPostgres();
  startHashes = readTokenHashesDir(dir, ['alpha', 'beta']).hashes;
  replica = await startTestRuntime(await pg.createDatabase(), { tokenHashes: startHashes });
});
afterAll(async () => {
  await replica?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('takes rotated, added and revoked tokens from the Secret, and keeps the last good hashes when it breaks', async () => {
  const errors: string[] = [];
  const log = createLogger({ level: 'info', write: (line) => errors.push(line) });
  const watcher = watchTokenHashes({ dir, knownTeams: ['alpha', 'beta'], initial: startHashes, intervalMs: 3_600_000, onChange: (hashes) => replica.runtime.setTokenHashes(hashes), log });
  const status = async (token: string) => (await new Api(replica.url, token).request('GET', '/v1/sessions')).status;
  try {
    expect(await status(TOKENS.alpha)).toBe(200);
    expect(await status(TOKENS.beta)).toBe(401);

    // rotation: old and new token side by side, and a new team's token
    writeFileSync(join(dir, 'team.alpha'), `${hashToken(TOKENS.alpha)}\n${hashToken(ROTATED)}\n`);
    writeFileSync(join(dir, 'team.beta'), hashToken(TOKENS.beta));
    watcher.check();
    expect([await status(TOKENS.alpha), await status(ROTATED), await status(TOKENS.beta)]).toEqual([200, 200, 200]);

    // the old token is revoked
    writeFileSync(join(dir, 'team.alpha'), hashToken(ROTATED));
    watcher.check();
    expect([await status(TOKENS.alpha), await status(ROTATED)]).toEqual([401, 200]);

    // a broken Secret changes nothing, and is reported once
    writeFileSync(join(dir, 'team.alpha'), 'not-a-digest');
    watcher.check();
    watcher.check();
    expect([await status(ROTATED), await status(TOKENS.beta), await status(TOKENS.admin)]).toEqual([200, 200, 200]);
    const reports = errors.filter((line) => line.includes('cannot be used; keeping the previous ones'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/team\.alpha: expected hex sha256 digests/);

    // fixed again
    writeFileSync(join(dir, 'team.alpha'), hashToken(TOKENS.alpha));
    watcher.check();
    expect([await status(TOKENS.alpha), await status(ROTATED)]).toEqual([200, 401]);
    expect(errors.some((line) => line.includes('API token hashes reloaded'))).toBe(true);
  } finally {
    watcher.stop();
  }
});

it('applies a change made between the runtime reading the Secret and the watcher starting', () => {
  const applied: TokenHashes[] = [];
  const stale: TokenHashes = { admin: [hashToken(TOKENS.admin)], teams: new Map() };
  const watcher = watchTokenHashes({ dir, knownTeams: ['alpha', 'beta'], initial: stale, intervalMs: 3_600_000, onChange: (hashes) => applied.push(hashes), log: createLogger({ level: 'error', write: () => undefined }) });
  try {
    watcher.check();
    expect(applied).toHaveLength(1);
    expect(applied[0]!.teams.get('alpha')).toEqual([hashToken(TOKENS.alpha)]);
    watcher.check();
    expect(applied).toHaveLength(1);
  } finally {
    watcher.stop();
  }
});
