/**
 * A real Postgres server for a test file (runtime/db/embedded.ts in a temp dir, free port).
 * One server per test file; each test takes fresh databases from it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../../runtime/db/embedded.ts';

export interface TestPostgres {
  readonly port: number;
  url(database?: string): string;
  /** creates an empty database and returns its URL */
  createDatabase(): Promise<string>;
  /** stops the server, keeping its data (outage tests) */
  pause(): Promise<void>;
  /** starts it again after pause() */
  resume(): Promise<void>;
  /** stops the server and deletes its data */
  stop(): Promise<void>;
}

let counter = 0;

export async function startTestPostgres(): Promise<TestPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'paddock-pg-'));
  const server = await startEmbeddedPostgres({ dataDir: root, password: 'paddock-test', fast: true });
  return {
    port: server.port,
    url: server.url,
    async createDatabase() {
      const name = `test_${process.pid}_${++counter}`;
      await server.createDatabase(name);
      return server.url(name);
    },
    pause: () => server.stop(),
    resume: () => server.start(),
    async stop() {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
