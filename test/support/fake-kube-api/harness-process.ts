/**
 * Real harness processes for the fake agent-sandbox controller: what a warm pod runs, on a
 * loopback port, started unbound (no PADDOCK_SANDBOX_TOKEN) like a pod created from a shared
 * SandboxTemplate before any session existed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCRIPTED_HARNESS_DIR = resolve(REPO_ROOT, 'harnesses/scripted');

export interface HarnessProcess {
  readonly pid: number;
  readonly port: number;
  /** resolves when the process has exited */
  readonly exited: Promise<void>;
  hasExited(): boolean;
  /** what it wrote on stdout/stderr (for failure messages) */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it is gone */
  stop(): Promise<void>;
  /** SIGKILL at once (a crashed pod) */
  kill(): Promise<void>;
}

export interface HarnessLauncher {
  start(options: { port: number; env: Readonly<Record<string, string>> }): Promise<HarnessProcess>;
}

/** `node --import tsx server.ts` in harnesses/scripted: the scripted harness, as dev mode runs it. */
export function scriptedHarnessLauncher(): HarnessLauncher {
  if (!existsSync(resolve(SCRIPTED_HARNESS_DIR, 'server.ts'))) {
    throw new Error(`the scripted harness is missing: ${resolve(SCRIPTED_HARNESS_DIR, 'server.ts')} does not exist`);
  }
  return commandLauncher([process.execPath, '--import', 'tsx', 'server.ts'], SCRIPTED_HARNESS_DIR);
}

export function commandLauncher(command: readonly string[], cwd: string): HarnessLauncher {
  const [file, ...args] = command;
  if (!file) throw new Error('commandLauncher needs a command');
  return {
    async start({ port, env }) {
      const child = spawn(file, args, {
        cwd,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          NODE_OPTIONS: '',
          ...env,
          PADDOCK_HARNESS_PORT: String(port),
          PADDOCK_HARNESS_HOST: '127.0.0.1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return wrap(child, port);
    },
  };
}

function wrap(child: ChildProcess, port: number): HarnessProcess {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error) => {
      output += `\nspawn error: ${error.message}`;
      exited = true;
      resolve();
    });
  });
  const signal = async (name: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (exited) return;
    child.kill(name);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exitedPromise;
    clearTimeout(timer);
  };
  return {
    pid: child.pid ?? -1,
    port,
    exited: exitedPromise,
    hasExited: () => exited,
    output: () => output,
    stop: () => signal('SIGTERM', 3_000),
    kill: () => signal('SIGKILL', 0),
  };
}

/** A loopback port that was free a moment ago (bind to 0, read it, release it). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Polls GET /healthz until it answers 200 (bounded), as a kubelet readiness probe does. */
export async function waitForHealthz(port: number, options: { timeoutMs: number; process?: HarnessProcess }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.process?.hasExited()) throw new Error(`the harness process exited before answering /healthz:\n${options.process.output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() >= deadline) throw new Error(`the harness on port ${port} did not answer /healthz within ${options.timeoutMs} ms:\n${options.process?.output() ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
