/**
 * Embedded Postgres (dev mode, tests, benchmarks): starts where root's postgres user cannot
 * reach the repository, fails at once saying what to do, and stays out of the terminal's
 * process group.
 */
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../../runtime/db/embedded.ts';
import { installedDistribution, type PostgresDistribution } from '../../../runtime/db/postgres-distribution.ts';

const dirs: string[] = [];
const servers: RunningPostgres[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(mode = 0o755): string {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-embedded-'));
  chmodSync(dir, mode);
  dirs.push(dir);
  return dir;
}
/** A copy of the real distribution in `parent` (e.g. a folder only root can enter, like /root). */
function distributionIn(parent: string): PostgresDistribution {
  const dir = join(parent, 'native');
  cpSync(installedDistribution().dir, dir, { recursive: true, verbatimSymlinks: true });
  return { dir, source: installedDistribution().source };
}
async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one;
  } finally {
    await client.end();
  }
}

it.runIf(process.getuid?.() === 0)('as root, with binaries and data under a folder only root can enter, runs from a copy and keeps its cluster where the postgres user can reach it', async () => {
  const closed = tempDir(0o700); // like a clone under /root
  const distribution = distributionIn(closed);
  const dataDir = join(closed, 'data');
  const cacheDir = tempDir();
  const reachableDataRoot = tempDir();
  let server = await startEmbeddedPostgres({ dataDir, distribution, distributionCacheDir: cacheDir, reachableDataRoot, fast: true });
  servers.push(server);
  expect(await selectOne(server.url())).toBe(1);
  expect(readdirSync(cacheDir)).toEqual([expect.stringMatching(/^paddock-postgres-[0-9a-f]{16}$/)]);
  expect(server.clusterDir.startsWith(`${reachableDataRoot}/`)).toBe(true);
  expect(readlinkSync(join(dataDir, 'cluster'))).toBe(server.clusterDir);
  await server.createDatabase('kept');
  await server.stop();

  // a restart finds the same cluster through the link, with its data
  server = await startEmbeddedPostgres({ dataDir, distribution, distributionCacheDir: cacheDir, reachableDataRoot, fast: true });
  servers.push(server);
  expect(await selectOne(server.url('kept'))).toBe(1);
  await server.stop();
});

it('fails at once, naming the binary and what to check, when a binary cannot be run', async () => {
  const distribution = distributionIn(tempDir());
  chmodSync(join(distribution.dir, 'bin', 'initdb'), 0o644);
  const dataDir = join(tempDir(), 'data');
  const started = Date.now();
  await expect(startEmbeddedPostgres({ dataDir, distribution, distributionCacheDir: tempDir(), reachableDataRoot: tempDir(), fast: true })).rejects.toThrow(
    new RegExp(`cannot run ${join(distribution.dir, 'bin', 'initdb')}.*: EACCES; check that the file exists and is executable and that every folder above it can be entered`),
  );
  expect(Date.now() - started).toBeLessThan(10_000);
  // nothing half-made: the next start initialises from scratch
  expect(existsSync(join(dataDir, 'cluster', 'PG_VERSION'))).toBe(false);
});

it('fails at once, suggesting another port, when its port is taken', async () => {
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const started = Date.now();
    await expect(startEmbeddedPostgres({ dataDir: join(tempDir(), 'data'), port, fast: true })).rejects.toThrow(`port ${port} is in use by another program: pick another port or stop that program`);
    expect(Date.now() - started).toBeLessThan(20_000);
  } finally {
    taken.close();
  }
});

it('runs in its own process group, out of reach of the Ctrl-C meant for its parent', async () => {
  const server = await startEmbeddedPostgres({ dataDir: join(tempDir(), 'data'), fast: true });
  servers.push(server);
  const pid = server.pid!;
  // /proc/<pid>/stat: pid (comm) state ppid pgrp ...
  const pgrp = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
  expect(pgrp).toBe(pid);
  expect(readFileSync(server.logFile, 'utf8')).toContain('database system is ready to accept connections');
  await server.stop();
  expect(server.pid).toBeUndefined();
});
