/** Spawning, probing, stopping and killing the runtime child (runtime-child.ts, bundled). */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { freeLoopbackPort } from '../../runtime/net.ts';

export interface RuntimeProcess {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly url: string;
  /** performance.now() when it was spawned */
  readonly spawnedAt: number;
}

export interface RuntimeProcessOptions {
  readonly cwd: string;
  /** the bundled runtime child (BenchContext.runtimeEntry) */
  readonly entry: string;
  readonly databaseUrl: string;
  readonly farmUrl: string;
  readonly replica?: string;
  /** PADDOCK_WARM_SESSION_SECONDS (default 30) */
  readonly warmSessionSeconds?: number;
  /** PADDOCK_MAX_CONCURRENT_TURNS (default 64) */
  readonly maxConcurrentTurns?: number;
  /** more environment (e.g. OTEL_* for the tracing series) */
  readonly env?: Readonly<Record<string, string>>;
}

export async function spawnRuntime(options: RuntimeProcessOptions): Promise<RuntimeProcess> {
  const port = await freeLoopbackPort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: options.databaseUrl,
    BENCH_FARM_URL: options.farmUrl,
    BENCH_REPLICA: options.replica ?? 'bench',
    PORT: String(port),
    PADDOCK_WARM_SESSION_SECONDS: String(options.warmSessionSeconds ?? 30),
    PADDOCK_MAX_CONCURRENT_TURNS: String(options.maxConcurrentTurns ?? 64),
    ...options.env,
  };
  const spawnedAt = performance.now();
  // BENCH_CPU_PROF=<dir>: each runtime process writes a V8 CPU profile there when it exits
  // normally (SIGTERM at the end of a benchmark; a SIGKILLed one writes none)
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, ['--expose-gc', '--enable-source-maps', ...profile, options.entry], { cwd: options.cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
  return { process: child, pid: child.pid!, url: `http://127.0.0.1:${port}`, spawnedAt };
}

/** Resolves with ms since spawn once /readyz answers 200. */
export async function waitReady(child: RuntimeProcess, pollMs = 10): Promise<number> {
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`the runtime exited with ${child.process.exitCode}`);
    const ready = await fetch(`${child.url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return performance.now() - child.spawnedAt;
    await delay(pollMs);
  }
}

export async function stopRuntime(child: RuntimeProcess): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  await Promise.race([exited, delay(15_000).then(() => child.process.kill('SIGKILL'))]);
}

/** SIGKILL, and wait until the process is gone (its sockets closed by the kernel). */
export async function killRuntime(child: RuntimeProcess): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGKILL');
  await exited;
}

export function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? Number.NaN);
}

/** RSS after the runtime child ran two full collections (SIGUSR2). */
export async function settledRssKiB(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  await delay(500);
  return rssKiB(pid);
}
