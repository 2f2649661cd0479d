/**
 * What the runtime benchmarks share: one embedded Postgres with durable settings (fsync on,
 * synchronous_commit on: the production defaults) in a temporary directory, a fresh database
 * and a fresh sandbox farm per benchmark, the `--quick` flag, and progress lines on stderr
 * (stdout carries the report).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '../../runtime/db/embedded.ts';
import { applyMigrations, loadMigrations } from '../../runtime/db/migrate.ts';
import { bundleRuntimeChild } from './bundle-runtime.ts';
import type { BenchResult } from './report.ts';
import { startSandboxFarm, type SandboxFarm } from './sandbox-farm.ts';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

export interface BenchContext {
  /** smaller sizes, for developing the benchmarks (figures not comparable with a full run) */
  readonly quick: boolean;
  readonly root: string;
  /** the runtime child, bundled like the runtime image (bundle-runtime.ts) */
  readonly runtimeEntry: string;
  /** a new, migrated database: its URL and a small pool for the bench's own SQL */
  freshDatabase(): Promise<{ url: string; db: pg.Pool }>;
  startFarm(): Promise<SandboxFarm>;
  progress(line: string): void;
  /** closes what this context started (databases' pools, farms), in reverse order */
  defer(cleanup: () => Promise<void>): void;
}

export interface RuntimeBenchmark {
  /** `--only` key */
  readonly name: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

export async function withBenchContext<T>(quick: boolean, body: (ctx: BenchContext) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
  chmodSync(root, 0o755);
  const progress = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  let postgres: RunningPostgres | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  let databases = 0;
  try {
    progress('starting embedded Postgres (fsync on, synchronous_commit on) ...');
    postgres = await startEmbeddedPostgres({ dataDir: join(root, 'postgres') });
    const server = postgres;
    const runtimeEntry = await bundleRuntimeChild(ROOT, join(root, 'bundle'));
    const ctx: BenchContext = {
      quick,
      root,
      runtimeEntry,
      async freshDatabase() {
        const name = `bench${++databases}`;
        await server.createDatabase(name);
        const url = server.url(name);
        const db = new pg.Pool({ connectionString: url, max: 4 });
        // an idle connection ended by the server (its stop at teardown) is not a failure of the run
        db.on('error', () => undefined);
        cleanups.push(() => db.end());
        // migrated before any runtime starts, so no runtime's start-up time includes them
        await applyMigrations(db, loadMigrations(), () => undefined);
        return { url, db };
      },
      async startFarm() {
        const farm = await startSandboxFarm(ROOT);
        cleanups.push(() => farm.close());
        return farm;
      },
      progress,
      defer: (cleanup) => cleanups.push(cleanup),
    };
    return await body(ctx);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await postgres?.stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}
