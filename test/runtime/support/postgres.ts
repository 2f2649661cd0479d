/**
 * A real Postgres server for a test file (runtime/db/embedded.ts in a temp dir, free port).
 * One server per test file; each test takes fresh databases from it. Fast by default (fsync
 * and synchronous_commit off); `durable` keeps Postgres's own defaults, for crash tests.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { EmbeddedPostgresError, startEmbeddedPostgres } from '../../../runtime/db/embedded.ts';
import { applyMigrations } from '../../../runtime/db/migrate.ts';
import { createPool } from '../../../runtime/db/pool.ts';

export interface TestPostgres {
  readonly port: number;
  url(database?: string): string;
  /** creates an empty database and returns its URL */
  createDatabase(): Promise<string>;
  /** stops the server, keeping its data (outage tests) */
  pause(): Promise<void>;
  /** starts it again after pause() or crash(), on the same data dir and port */
  resume(): Promise<void>;
  /**
   * SIGKILLs the postmaster and every backend (its process group, pid from postmaster.pid):
   * no shutdown checkpoint, WAL buffers lost; the next start runs crash recovery
   */
  crash(): Promise<void>;
  /** the server's log since its last start */
  log(): string;
  /** stops the server and deletes its data */
  stop(): Promise<void>;
}

let counter = 0;

export async function startTestPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'paddock-pg-'));
  const server = await startEmbeddedPostgres({ dataDir: root, password: 'paddock-test', fast: !options.durable });
  return {
    port: server.port,
    url: server.url,
    async createDatabase() {
      const name = `test_${process.pid}_${++counter}`;
      await server.createDatabase(name);
      return server.url(name);
    },
    pause: () => server.stop(),
    async resume() {
      // after a crash the old backends may hold the shared memory a little longer
      for (let attempt = 1; ; attempt++) {
        try {
          return await server.start();
        } catch (error) {
          if (!(error instanceof EmbeddedPostgresError) || attempt >= 20) throw error;
          await delay(250);
        }
      }
    },
    async crash() {
      const postmaster = Number(readFileSync(join(server.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (!Number.isInteger(postmaster) || postmaster <= 0 || postmaster !== server.pid) throw new Error(`postmaster.pid names ${postmaster}, not the server we started (${server.pid})`);
      // the server runs detached, so its process group is its pid
      process.kill(-postmaster, 'SIGKILL');
      while (server.pid !== undefined) await delay(10);
    },
    log: () => readFileSync(server.logFile, 'utf8'),
    async stop() {
      // smart shutdown first: a pool whose end() resolved before its clients' sockets closed
      // would otherwise get "terminating connection due to administrator command" on a client
      // that no longer has an error listener, an uncaught exception in the test process
      await server.stop({ graceMs: 500 });
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface MigratedDatabase {
  readonly server: TestPostgres;
  readonly url: string;
  /** a runtime pool (db/pool.ts) on the migrated database */
  readonly pool: pg.Pool;
}

/**
 * For a test file: a test Postgres with one migrated database and a runtime pool on it, made
 * before the file's tests and ended after them. Read its fields inside tests (they are set in
 * beforeAll).
 */
export function useMigratedDatabase(options: { max?: number } = {}): MigratedDatabase {
  let server: TestPostgres | undefined;
  let url: string | undefined;
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    server = await startTestPostgres();
    url = await server.createDatabase();
    pool = createPool({ connectionString: url, max: options.max ?? 10 });
    await applyMigrations(pool);
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useMigratedDatabase: ${what} is read before beforeAll ran`);
    return value;
  };
  return {
    get server() {
      return ready(server, 'server');
    },
    get url() {
      return ready(url, 'url');
    },
    get pool() {
      return ready(pool, 'pool');
    },
  };
}
