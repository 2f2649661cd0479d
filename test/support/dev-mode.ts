/**
 * `paddock dev` as a user runs it (bin/paddock.mjs, a real child process) for the console's
 * browser tests: its own data dir, a free port, the tokens it issued (tokens.json), and ways to
 * stop it cleanly, kill it (SIGKILL) and start it again on the same port and data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const REPO = join(import.meta.dirname, '..', '..');
const READY = /Paddock dev runtime ready at (http:\/\/\S+)/;

export interface DevTokensFile {
  readonly admin: string;
  readonly teams: Readonly<Record<string, string>>;
}

export interface DevMode {
  /** http://127.0.0.1:<port>, the same across restarts */
  readonly url: string;
  readonly dataDir: string;
  readonly tokens: DevTokensFile;
  /** everything the current process printed */
  output(): string;
  /** SIGKILL, as a crash would: no drain, Postgres and the harnesses are left behind */
  kill(): Promise<void>;
  /** starts `paddock dev` again on the same port and data dir (after kill or stop) */
  restart(): Promise<void>;
  /** SIGTERM and wait; then removes the data dir and anything a killed process left running */
  stop(): Promise<void>;
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly output: () => string;
  readonly url: Promise<string>;
}

function launch(dataDir: string, port: number, timeoutMs: number): Running {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'paddock.mjs'), 'dev', '--port', String(port), '--data-dir', dataDir], {
    cwd: REPO,
    env: { ...process.env, PADDOCK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`paddock dev was not ready within ${timeoutMs} ms:\n${output.slice(-3000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = READY.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`paddock dev exited (${code}) before it was ready:\n${output.slice(-3000)}`));
    });
  });
  url.catch(() => undefined);
  return { child, exited, output: () => output, url };
}

/** pids of processes whose environment says HOME is under `dir` (the local driver's sandboxes) */
function processesWithHomeUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.some((v) => v.startsWith(`HOME=${dir}/`))) pids.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

function killQuietly(pid: number, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Leftovers of a SIGKILLed dev process: its harness processes and its Postgres server. */
function killLeftovers(dataDir: string): void {
  for (const pid of processesWithHomeUnder(join(dataDir, 'sandboxes'))) killQuietly(pid, true);
  const pidFile = join(dataDir, 'postgres', 'cluster', 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 1) killQuietly(pid, false);
  }
}

async function waitExit(running: Running, timeoutMs: number): Promise<void> {
  const timedOut = Symbol('timeout');
  const result = await Promise.race([running.exited, delay(timeoutMs, timedOut)]);
  if (result === timedOut) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
}

/** Starts `paddock dev --port 0` in a fresh data dir and resolves once it printed its URL. */
export async function startDevMode(options: { readyTimeoutMs?: number } = {}): Promise<DevMode> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'paddock-console-dev-'));
  // run as root, Postgres runs as the postgres user, which must be able to enter the data dir
  chmodSync(dataDir, 0o755);
  let current = launch(dataDir, 0, readyTimeoutMs);
  let url: string;
  try {
    url = await current.url;
  } catch (error) {
    current.child.kill('SIGKILL');
    await current.exited;
    killLeftovers(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const port = Number(new URL(url).port);
  const tokens = JSON.parse(readFileSync(join(dataDir, 'tokens.json'), 'utf8')) as DevTokensFile;
  return {
    url,
    dataDir,
    tokens,
    output: () => current.output(),
    async kill() {
      current.child.kill('SIGKILL');
      await current.exited;
    },
    async restart() {
      if (current.child.exitCode === null && current.child.signalCode === null) throw new Error('paddock dev is still running: kill or stop it first');
      current = launch(dataDir, port, readyTimeoutMs);
      const again = await current.url;
      if (again !== url) throw new Error(`paddock dev came back at ${again}, not ${url}`);
    },
    async stop() {
      if (current.child.exitCode === null && current.child.signalCode === null) {
        current.child.kill('SIGTERM');
        await waitExit(current, 20_000);
      }
      killLeftovers(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
