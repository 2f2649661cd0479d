/**
 * A real Postgres server for a test file (runtime/db/embedded.ts in a temp dir, free port).
 * One server per test file; each test takes fresh databases from it. Fast by default (fsync
 * and synchronous_commit off); `durable` keeps Postgres's own defaults, for crash tests.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EmbeddedPostgresError, startEmbeddedPostgres } from '../../../runtime/db/embedded.ts';

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
