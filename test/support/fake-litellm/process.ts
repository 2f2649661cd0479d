/**
 * Runs the fake LiteLLM (main.ts) as a child process. `stop()` ends it (SIGTERM, or SIGKILL
 * for a crash) so its port refuses connections, as a gateway that is down does; `start()`
 * brings it back on the same port with the same state file, as a restarted LiteLLM comes back
 * with its database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface FakeLiteLLMProcessOptions {
  readonly masterKey: string;
  readonly models: readonly string[];
  readonly costPerCall?: number;
}

export class FakeLiteLLMProcess {
  private child: ChildProcess | undefined;
  private port = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'paddock-fake-litellm-'));
  private stderrText = '';

  constructor(private readonly options: FakeLiteLLMProcessOptions) {}

  get url(): string {
    if (this.port === 0) throw new Error('the fake LiteLLM has not been started');
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  stderr(): string {
    return this.stderrText;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/fake-litellm/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        FAKE_LITELLM_MASTER_KEY: this.options.masterKey,
        FAKE_LITELLM_MODELS: this.options.models.join(','),
        FAKE_LITELLM_STATE_FILE: join(this.dir, 'state.json'),
        ...(this.port ? { FAKE_LITELLM_PORT: String(this.port) } : {}),
        ...(this.options.costPerCall !== undefined ? { FAKE_LITELLM_COST_PER_CALL: String(this.options.costPerCall) } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText = (this.stderrText + chunk).slice(-8000)));
    const lines = createInterface({ input: child.stdout! });
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the fake LiteLLM did not start within 30 s: ${this.stderrText}`)), 30_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the fake LiteLLM exited with ${code} before listening: ${this.stderrText}`));
      });
      lines.on('line', (line) => {
        try {
          const parsed = JSON.parse(line) as { listening?: { port: number } };
          if (parsed.listening) {
            clearTimeout(timer);
            resolve(parsed.listening.port);
          }
        } catch {
          /* not ours */
        }
      });
    });
  }

  /** Ends the process: SIGTERM (a clean stop) or SIGKILL (a crash). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A request to the fake with the master key (admin and /__fake/ routes). */
  async admin<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${path}`, { method, headers: { authorization: `Bearer ${this.options.masterKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as T };
  }
}
