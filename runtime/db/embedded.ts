/**
 * Embedded Postgres for dev mode, tests and benchmarks: the server binaries come from npm
 * (postgres-distribution.ts), the data lives in a folder of ours and survives restarts.
 * Loopback only.
 *
 * The server is our child in its own process group, so the terminal's Ctrl-C (SIGINT to the
 * whole foreground group) reaches only the runtime, which drains its turns and then stops
 * Postgres (dev.ts). Its output goes to <data dir>/postgres.log, so a server outliving a
 * crashed parent never writes to a closed pipe; such a server is stopped at the next start.
 * Run by root, the server runs as the `postgres` user (postgres-user.ts): from a copy of the
 * binaries that user can reach, and with its cluster in `reachableDataRoot` when that user
 * cannot enter the data dir (the data dir then holds a `cluster` link to it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { freeLoopbackPort } from '../net.ts';
import { distributionBinary, distributionRunnableBy, type PostgresDistribution } from './postgres-distribution.ts';
import { canEnter, EmbeddedPostgresError, postgresUserForThisProcess, type PostgresUser } from './postgres-user.ts';

export { EmbeddedPostgresError };

export interface EmbeddedPostgresOptions {
  /** the cluster's data directory (created and initialised when missing) */
  readonly dataDir: string;
  /** 0 (default) picks a free loopback port */
  readonly port?: number;
  /** the superuser password; when omitted it is generated once and kept next to the data */
  readonly password?: string;
  /** relax durability for throwaway test clusters */
  readonly fast?: boolean;
  readonly log?: (line: string) => void;
  /** the binaries (default: the npm package for this platform) */
  readonly distribution?: PostgresDistribution;
  /** run by root: where a copy of the binaries the postgres user can run is made (default the temp dir) */
  readonly distributionCacheDir?: string;
  /** run by root: where the cluster goes when the postgres user cannot enter dataDir */
  readonly reachableDataRoot?: string;
  /** how long the server may take to accept connections (default 30 s) */
  readonly startTimeoutMs?: number;
}

export interface RunningPostgres {
  readonly port: number;
  /** the postmaster's pid while it runs */
  readonly pid: number | undefined;
  /** where the cluster's files are (may be outside dataDir, see reachableDataRoot) */
  readonly clusterDir: string;
  /** the server's log */
  readonly logFile: string;
  /** postgres://... for a database on this server */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  /**
   * stop, keeping the data. With `graceMs`, clients get that long to disconnect first (a
   * "smart" shutdown), so connections being closed are not cut mid-goodbye.
   */
  stop(options?: { readonly graceMs?: number }): Promise<void>;
  /** start again after stop() */
  start(): Promise<void>;
}

export const DEFAULT_REACHABLE_DATA_ROOT = '/var/lib/paddock/postgres';
const SUPERUSER = 'postgres';
const READY = 'database system is ready to accept connections';

/** Servers of this process: a process that exits without stopping them still asks them to stop. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) if (child.pid !== undefined) signal(child.pid, 'SIGINT');
});

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    /* already gone */
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A server left running by a killed parent still holds the data dir: stop it first. */
async function stopOrphanedServer(clusterDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  log(`stopping a Postgres server (pid ${pid}) left running on ${clusterDir}`);
  signal(pid, 'SIGINT');
  for (let i = 0; i < 200 && processAlive(pid); i++) await delay(50);
  if (processAlive(pid)) throw new EmbeddedPostgresError(`a Postgres server (pid ${pid}) still runs on ${clusterDir} and did not stop; stop it ("kill ${pid}") and try again`);
}

function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

/** What to do about a server that would not start, from what it logged. */
function hintFor(output: string, port: number): string {
  if (/Address already in use|could not create any TCP\/IP sockets/.test(output)) return `port ${port} is in use by another program: pick another port or stop that program`;
  if (/lock file .* already exists/.test(output)) return 'another Postgres server uses this data dir: stop it first';
  if (/Permission denied/.test(output)) return 'the server cannot read its files: check the ownership of the data dir';
  return 'see the log for why';
}

/** Runs initdb into a temporary folder and renames it into place, so a failed run leaves nothing half-made. */
async function initialiseCluster(input: { distribution: PostgresDistribution; user: PostgresUser | undefined; clusterDir: string; password: string; fast: boolean; log: (line: string) => void }): Promise<void> {
  const { clusterDir, user } = input;
  const parent = dirname(clusterDir);
  const temporary = `${clusterDir}.initdb-${randomBytes(4).toString('hex')}`;
  const pwfile = join(parent, `.pwfile-${randomBytes(6).toString('hex')}`);
  input.log(`initialising a Postgres cluster in ${clusterDir}`);
  mkdirSync(temporary, { mode: 0o700 });
  writeFileSync(pwfile, `${input.password}\n`, { mode: 0o600 });
  if (user) {
    chownSync(temporary, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  const initdb = distributionBinary(input.distribution, 'initdb');
  try {
    const args = [`--pgdata=${temporary}`, '--auth=scram-sha-256', `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--lc-messages=C', '--locale=C.UTF-8', '--encoding=UTF8', ...(input.fast ? ['--no-sync'] : [])];
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolveRun, reject) => {
      let output = '';
      const child = spawn(initdb, args, { ...(user ? { uid: user.uid, gid: user.gid } : {}), env: { LC_ALL: 'C.UTF-8', LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.once('error', (error: NodeJS.ErrnoException) => reject(new EmbeddedPostgresError(`cannot run ${initdb}${user ? ` as the "${user.name}" user` : ''}: ${error.code ?? error.message}; check that the file exists and is executable and that every folder above it can be entered`)));
      child.once('close', (exitCode) => resolveRun({ code: exitCode, output }));
    });
    if (code !== 0) throw new EmbeddedPostgresError(`initdb failed (exit ${code}) for ${clusterDir}: ${tail(output)}`);
    renameSync(temporary, clusterDir);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
    rmSync(pwfile, { force: true });
  }
}

/**
 * Where the cluster lives: <dataDir>/cluster, or, when the postgres user cannot enter dataDir,
 * <reachableDataRoot>/<digest of dataDir's path>/cluster with a `cluster` link in dataDir.
 */
async function clusterLocation(dataDir: string, user: PostgresUser | undefined, reachableDataRoot: string, log: (line: string) => void): Promise<string> {
  const local = join(dataDir, 'cluster');
  if (!user) return local;
  // the postgres user writes the pid file and logs next to its cluster
  chmodSync(dataDir, 0o755);
  const linked = existsSync(local) && lstatSync(local).isSymbolicLink();
  if (!linked && (await canEnter(user, dataDir))) return local;
  if (existsSync(local) && !linked) {
    throw new EmbeddedPostgresError(`the "${user.name}" user, which runs Postgres when started by root, cannot enter ${dataDir} (a folder above it is closed to other users), and a cluster is already there; open the folders above it to that user (chmod o+x) or move the data dir`);
  }
  const home = join(reachableDataRoot, createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 16));
  mkdirSync(home, { recursive: true, mode: 0o755 });
  chmodSync(home, 0o755);
  if (!(await canEnter(user, home))) {
    throw new EmbeddedPostgresError(`the "${user.name}" user, which runs Postgres when started by root, can enter neither ${dataDir} nor ${home}; open the folders above one of them to that user (chmod o+x), or pass a data dir it can reach`);
  }
  const target = join(home, 'cluster');
  if (!linked) symlinkSync(target, local);
  log(`the "${user.name}" user cannot enter ${dataDir}: the Postgres cluster lives in ${target} (linked from ${local})`);
  return target;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const user = await postgresUserForThisProcess();
  const distribution = await distributionRunnableBy(user, { distribution: options.distribution, cacheDir: options.distributionCacheDir });
  const clusterDir = await clusterLocation(dataDir, user, options.reachableDataRoot ?? DEFAULT_REACHABLE_DATA_ROOT, log);
  const passwordFile = join(dataDir, 'password');
  let password = options.password;
  if (password === undefined) {
    if (existsSync(passwordFile)) password = readFileSync(passwordFile, 'utf8').trim();
    else {
      password = randomBytes(24).toString('base64url');
      writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    }
  }
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await initialiseCluster({ distribution, user, clusterDir, password, fast: options.fast ?? false, log });
  } else {
    await stopOrphanedServer(clusterDir, log);
  }

  const port = options.port && options.port > 0 ? options.port : await freeLoopbackPort();
  const logFile = join(dirname(clusterDir), 'postgres.log');
  const postgres = distributionBinary(distribution, 'postgres');
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [])];
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    if (child) return;
    const fd = openSync(logFile, 'w', 0o600);
    if (user) chownSync(logFile, user.uid, user.gid);
    let failure: string | undefined;
    let spawned: ChildProcess;
    try {
      // detached: its own process group, out of reach of the terminal's Ctrl-C
      spawned = spawn(postgres, ['-D', clusterDir, '-p', String(port), ...flags], { ...(user ? { uid: user.uid, gid: user.gid } : {}), env: { LC_ALL: 'C.UTF-8', LC_MESSAGES: 'C' }, stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    let done = false;
    exited = new Promise<void>((resolveExit) => {
      spawned.once('error', (error: NodeJS.ErrnoException) => {
        failure = `cannot run ${postgres}${user ? ` as the "${user.name}" user` : ''}: ${error.code ?? error.message}`;
        done = true;
        resolveExit();
      });
      spawned.once('exit', (code, sig) => {
        failure ??= `it exited (${sig ?? `code ${code}`})`;
        done = true;
        running.delete(spawned);
        if (child === spawned) child = undefined;
        resolveExit();
      });
    });
    child = spawned;
    running.add(spawned);
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const output = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      if (output.includes(READY)) return;
      if (done || Date.now() > deadline) {
        if (!done) {
          failure = `it did not accept connections within ${startTimeoutMs} ms`;
          signal(spawned.pid!, 'SIGKILL');
          await exited;
        }
        throw new EmbeddedPostgresError(`embedded Postgres did not start on 127.0.0.1:${port} (${clusterDir}): ${failure}; ${hintFor(output, port)}. Its log (${logFile}): ${tail(output) || '(empty)'}`);
      }
      await delay(20);
    }
  };

  const stop = async (stopOptions: { readonly graceMs?: number } = {}): Promise<void> => {
    const current = child;
    if (!current?.pid) return;
    // SIGTERM: "smart" shutdown, waits for clients; SIGINT: "fast" (sessions ended, a clean checkpoint); then harder
    const steps: Array<readonly [number, NodeJS.Signals]> = [[10_000, 'SIGQUIT'], [5_000, 'SIGKILL']];
    if (stopOptions.graceMs) {
      signal(current.pid, 'SIGTERM');
      steps.unshift([stopOptions.graceMs, 'SIGINT']);
    } else signal(current.pid, 'SIGINT');
    for (const [afterMs, next] of steps) {
      const stopped = await Promise.race([exited.then(() => true), delay(afterMs, undefined, { ref: false }).then(() => false)]);
      if (stopped) return;
      log(`Postgres (pid ${current.pid}) did not stop within ${afterMs} ms; sending ${next}`);
      signal(current.pid, next);
    }
    await exited;
  };

  await start();
  const url = (database = 'postgres') => `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    port,
    get pid() {
      return child?.pid;
    },
    clusterDir,
    logFile,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
    },
    stop,
    start,
  };
}
