/** runtime/main.ts start-up: refuses bad input clearly, refuses a tampered schema, waits for a database (auditing what it refuses meanwhile). */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_ENV } from '../../config/names.ts';
import { MIGRATION_LOCK_KEY } from '../../runtime/db/migrate.ts';
import { startTestPostgres, type TestPostgres } from './support/postgres.ts';
import { runtimeProcessFiles, spawnRuntime, TOKENS, type RuntimeProcess, type RuntimeProcessFiles } from './support/runtime.ts';

let server: TestPostgres;
const fileSets: RuntimeProcessFiles[] = [];
const running: RuntimeProcess[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await server?.stop();
  for (const f of fileSets) rmSync(f.dir, { recursive: true, force: true });
});

async function files(): Promise<RuntimeProcessFiles> {
  const f = runtimeProcessFiles(await server.createDatabase());
  fileSets.push(f);
  return f;
}

async function exitOf(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const p = await spawnRuntime(env);
  running.push(p);
  const code = await Promise.race([p.exited, delay(30_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') throw new Error(`the runtime did not exit: ${p.output()}`);
  return { code, output: p.output() };
}

describe('runtime start-up', () => {
  it('exits 78 naming the problem when its config is invalid', async () => {
    const [badConfig, noDatabase, plaintextToken] = [await files(), await files(), await files()];
    writeFileSync(join(badConfig.dir, 'config.json'), JSON.stringify({ version: 1, stack: 'x', environment: 'kind', modelGatewayUrl: 'http://g', turnTimeoutSeconds: 60, teams: [], replicas: 3 }));
    writeFileSync(join(plaintextToken.dir, 'tokens', 'team.alpha'), TOKENS.alpha);
    const [bad, missing, plaintext] = await Promise.all([exitOf(badConfig.env), exitOf({ ...noDatabase.env, [RUNTIME_ENV.databaseUrl]: '' }), exitOf(plaintextToken.env)]);
    expect(bad.code).toBe(78);
    expect(bad.output).toContain(`${join(badConfig.dir, 'config.json')}: (top level): unknown field \\"replicas\\"`);
    expect(missing.code).toBe(78);
    expect(missing.output).toContain(`environment variable ${RUNTIME_ENV.databaseUrl} is required`);
    expect(plaintext.code).toBe(78);
    expect(plaintext.output).toMatch(/team\.alpha: expected hex sha256 digests/);
  });

  it('refuses to start when an applied migration differs from its file', async () => {
    const f = await files();
    const first = await spawnRuntime(f.env);
    running.push(first);
    await first.waitReady();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const db = new pg.Client({ connectionString: f.env[RUNTIME_ENV.databaseUrl] });
    await db.connect();
    await db.query("UPDATE paddock_schema_migrations SET checksum = repeat('0', 64) WHERE version = 1");
    await db.end();

    const refused = await exitOf(f.env);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/refusing to start: migration 0001_sessions\.sql was changed after it was applied/);
  });

  it('serves /healthz and answers 503 until the database is there, then becomes ready by itself', async () => {
    const f = await files();
    await server.pause();
    const p = await spawnRuntime(f.env);
    running.push(p);
    try {
      let health: Response | undefined;
      for (let i = 0; i < 100 && !health; i++) {
        health = await fetch(`${p.url}/healthz`).catch(() => undefined);
        if (!health) await delay(100);
      }
      expect(health?.status).toBe(200);
      const ready = await fetch(`${p.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'not_ready', reason: expect.stringMatching(/waiting for the database|applying database migrations/) });
      const api = await fetch(`${p.url}/v1/sessions`, { headers: { authorization: `Bearer ${TOKENS.alpha}` } });
      expect(api.status).toBe(503);
      expect(api.headers.get('retry-after')).toBe('2');
      const create = await fetch(`${p.url}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.alpha}`, 'content-type': 'application/json' }, body: JSON.stringify({ harness: 'scripted' }) });
      expect(create.status).toBe(503);
    } finally {
      await server.resume();
    }
    await p.waitReady(30_000);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    // the refused create answered before the migrations ran is in the audit trail (held until they had run)
    const db = new pg.Client({ connectionString: f.env[RUNTIME_ENV.databaseUrl] });
    await db.connect();
    const { rows } = await db.query('SELECT action, route, method, status, error_code FROM audit_log');
    await db.end();
    expect(rows).toEqual([{ action: 'session.create', route: '/v1/sessions', method: 'POST', status: 503, error_code: 'not_ready' }]);
  });

  /**
   * A runtime whose migrations wait on the migration lock (another replica migrating) with the
   * database reachable, and the answer to a session create it was sent meanwhile.
   */
  async function waitingOnMigrations() {
    const f = await files();
    const other = new pg.Client({ connectionString: f.env[RUNTIME_ENV.databaseUrl] });
    await other.connect();
    await other.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    const p = await spawnRuntime(f.env);
    running.push(p);
    let create: Response | undefined;
    for (let i = 0; i < 100 && !create; i++) {
      create = await fetch(`${p.url}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.alpha}`, 'content-type': 'application/json' }, body: JSON.stringify({ harness: 'scripted' }) }).catch(() => undefined);
      if (!create) await delay(100);
    }
    const release = () => other.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    return { p, other, create, release };
  }

  it('audits what it refuses while its migrations wait (the database up, the schema not there yet), once they have run', async () => {
    const { p, other, create, release } = await waitingOnMigrations();
    try {
      expect(create?.status).toBe(503);
      expect(await create?.json()).toMatchObject({ error: { code: 'not_ready' } });
      // its audit write had the time to fail on the missing table (it did before: given up)
      await delay(500);
    } finally {
      await release();
    }
    await p.waitReady(30_000);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const { rows } = await other.query('SELECT action, status, error_code FROM audit_log');
    await other.end();
    expect(rows).toEqual([{ action: 'session.create', status: 503, error_code: 'not_ready' }]);
    expect(p.output()).not.toMatch(/audit record not written/);
  });

  it('logs what it held for the audit trail when stopped while its migrations still wait', async () => {
    const { p, other, create, release } = await waitingOnMigrations();
    try {
      expect(create?.status).toBe(503);
      // stopped while the lock is still held: the stop waits for the migrations, which wait for the lock
      p.child.kill('SIGTERM');
      await expect.poll(() => p.output(), { timeout: 10_000 }).toMatch(/audit record not written[^\n]*session\.create/);
    } finally {
      await release();
      await other.end();
    }
    expect(await p.exited).toBe(0);
  });
});
