/**
 * runtime/main.ts's own wiring, with the runtime as a real process: the timer that re-reads the
 * token hashes (PADDOCK_AUTH_RELOAD_SECONDS) follows a Secret volume the way the kubelet updates
 * it (files are links through `..data`, swapped in one rename), so a token is rotated and the old
 * one revoked without a restart, and a broken update is reported and ignored.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RUNTIME_ENV } from '../../config/names.ts';
import { hashToken } from '../../runtime/auth.ts';
import { startTestPostgres, type TestPostgres } from './support/postgres.ts';
import { Api, runtimeProcessFiles, spawnRuntime, TOKENS, type RuntimeProcess, type RuntimeProcessFiles } from './support/runtime.ts';

const ROTATED = 'pdk_rotated-alpha-token-000000000000000000000';
let server: TestPostgres;
let files: RuntimeProcessFiles;
let runtime: RuntimeProcess | undefined;
let secretDir: string;
let generation = 0;

/** Writes the Secret's keys into a new timestamped folder and points `..data` at it atomically. */
function updateSecret(keys: Record<string, string>): void {
  const folder = `..2026_12_04_00_00_00.${++generation}`;
  mkdirSync(join(secretDir, folder));
  for (const [key, value] of Object.entries(keys)) writeFileSync(join(secretDir, folder, key), value);
  symlinkSync(folder, join(secretDir, '..data_tmp'));
  renameSync(join(secretDir, '..data_tmp'), join(secretDir, '..data'));
  for (const key of Object.keys(keys)) {
    try {
      symlinkSync(join('..data', key), join(secretDir, key));
    } catch {
      /* the link exists already */
    }
  }
}

beforeAll(async () => {
  server = await startTestPostgres();
  files = runtimeProcessFiles(await server.createDatabase());
  secretDir = join(files.dir, 'secret');
  mkdirSync(secretDir);
  updateSecret({ admin: hashToken(TOKENS.admin), 'team.alpha': hashToken(TOKENS.alpha), 'team.beta': hashToken(TOKENS.beta) });
});
afterAll(async () => {
  if (runtime && runtime.child.exitCode === null) {
    runtime.child.kill('SIGTERM');
    await runtime.exited;
  }
  await server?.stop();
  if (files) rmSync(files.dir, { recursive: true, force: true });
});

async function statusesWithin(url: string, tokens: readonly string[], want: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await Promise.all(tokens.map(async (token) => (await new Api(url, token).request('GET', '/v1/sessions')).status));
    if (JSON.stringify(got) === JSON.stringify(want) || Date.now() > deadline) return got;
    await delay(50);
  }
}

it('re-reads the token hashes on its timer: a rotated token works and the revoked one stops, with no restart', async () => {
  runtime = await spawnRuntime({ ...files.env, [RUNTIME_ENV.tokenHashesDir]: secretDir, PADDOCK_AUTH_RELOAD_SECONDS: '0.2' });
  await runtime.waitReady();
  const pid = runtime.child.pid;
  expect(await statusesWithin(runtime.url, [TOKENS.alpha, ROTATED], [200, 401], 0)).toEqual([200, 401]);

  // rotation: both side by side, then the old one revoked
  updateSecret({ admin: hashToken(TOKENS.admin), 'team.alpha': `${hashToken(TOKENS.alpha)}\n${hashToken(ROTATED)}\n`, 'team.beta': hashToken(TOKENS.beta) });
  expect(await statusesWithin(runtime.url, [TOKENS.alpha, ROTATED], [200, 200], 5_000)).toEqual([200, 200]);
  updateSecret({ admin: hashToken(TOKENS.admin), 'team.alpha': hashToken(ROTATED), 'team.beta': hashToken(TOKENS.beta) });
  expect(await statusesWithin(runtime.url, [TOKENS.alpha, ROTATED, TOKENS.beta], [401, 200, 200], 5_000)).toEqual([401, 200, 200]);

  // a broken update is reported and changes nothing
  updateSecret({ admin: hashToken(TOKENS.admin), 'team.alpha': 'not-a-digest', 'team.beta': hashToken(TOKENS.beta) });
  const deadline = Date.now() + 5_000;
  while (!runtime.output().includes('cannot be used; keeping the previous ones')) {
    expect(Date.now(), 'the broken Secret reported').toBeLessThan(deadline);
    await delay(50);
  }
  expect(await statusesWithin(runtime.url, [TOKENS.alpha, ROTATED], [401, 200], 0)).toEqual([401, 200]);
  expect(runtime.output().match(/cannot be used; keeping the previous ones/g)).toHaveLength(1);
  expect(runtime.output()).toContain('API token hashes reloaded');
  expect(runtime.child.pid).toBe(pid);
  expect(runtime.child.exitCode).toBe(null);
});
