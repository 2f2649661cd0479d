/**
 * Starts a harness exactly as dev mode's local driver does: the `local.command` of its
 * harness.yaml, run in the harness folder, on a free loopback port (PADDOCK_HARNESS_PORT=0,
 * PADDOCK_HARNESS_HOST=127.0.0.1), ready once it prints `{"listening":{...}}`. The conformance
 * suite thereby tests the real entry point, not an in-process shortcut.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { harnessDir, loadHarnessRegistry } from '../registry.ts';

export interface LaunchedHarness {
  readonly name: string;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly pid: number;
  /** resolves with the exit code (or signal) when the process ends */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** everything it wrote on stderr so far (its log) */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited */
  stop(): Promise<void>;
}

export interface LaunchOptions {
  /** the whole environment of the process (PATH included); port and host are added */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly startTimeoutMs?: number;
}

export async function launchHarness(name: string, options: LaunchOptions): Promise<LaunchedHarness> {
  const definition = loadHarnessRegistry().get(name);
  if (!definition) throw new Error(`no harness "${name}" in harnesses/`);
  if (!definition.local) throw new Error(`harness "${name}" has no local.command in its harness.yaml`);
  const [command, ...args] = definition.local.command;
  const env: NodeJS.ProcessEnv = { ...options.env, PADDOCK_HARNESS_PORT: '0', PADDOCK_HARNESS_HOST: '127.0.0.1' };
  const child: ChildProcess = spawn(command!, args, { cwd: harnessDir(name), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-64 * 1024);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const lines = createInterface({ input: child.stdout! });
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`harness "${name}" did not print {"listening":...} within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { listening?: { port?: number } };
        if (typeof parsed.listening?.port === 'number') {
          clearTimeout(timer);
          resolve(parsed.listening.port);
        }
      } catch {
        /* other output */
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`harness "${name}" exited (${signal ?? code}) before listening; stderr:\n${stderr}`));
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    exited,
    stderr: () => stderr,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}
