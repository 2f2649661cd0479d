/**
 * Test fixtures for the runtime: a two-team config, fixed tokens, an in-process runtime with
 * the real local driver (real harness processes), a runtime as a real child process
 * (runtime/main.ts), and a small API client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { RUNTIME_ENV } from '../../../config/names.ts';
import type { RuntimeConfig } from '../../../config/runtime-config.ts';
import { SseParser } from '../../../harnesses/protocol/sse.ts';
import { loadHarnessRegistry } from '../../../harnesses/registry.ts';
import { hashToken, type TokenHashes } from '../../../runtime/auth.ts';
import { LocalDriver } from '../../../runtime/drivers/local/local-driver.ts';
import { createLogger, silentLogger, type Logger } from '../../../runtime/log.ts';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../../runtime/runtime.ts';
import { freeLoopbackPort } from '../../../runtime/net.ts';

export const TOKENS = {
  admin: 'pdk_test-admin-token-0000000000000000000000',
  alpha: 'pdk_test-alpha-token-0000000000000000000000',
  beta: 'pdk_test-beta-token-00000000000000000000000',
} as const;

const scripted = { name: 'scripted', warmPool: 'scripted', port: 8080, modelGatewayEnv: [] };

export function testConfig(overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return {
    version: 1,
    stack: 'test',
    environment: 'kind',
    modelGatewayUrl: 'http://127.0.0.1:9',
    turnTimeoutSeconds: 60,
    teams: [
      // claude-code is declared but its CLI is not installed here: sessions with it fail clearly
      { name: 'alpha', namespace: 'team-alpha', env: { TEAM_GREETING: 'hello from alpha' }, harnesses: [scripted, { name: 'claude-code', warmPool: 'claude-code', port: 8080, modelGatewayEnv: [{ name: 'ANTHROPIC_BASE_URL', path: '' }] }] },
      { name: 'beta', namespace: 'team-beta', env: {}, harnesses: [scripted] },
    ],
    ...overrides,
  };
}

export function testTokenHashes(): TokenHashes {
  return { admin: [hashToken(TOKENS.admin)], teams: new Map([['alpha', [hashToken(TOKENS.alpha)]], ['beta', [hashToken(TOKENS.beta)]]]) };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `paddock-${prefix}-`));
}

const debugLog = process.env.PADDOCK_TEST_LOG ? createLogger({ format: 'text', level: 'debug' }) : silentLogger;

export interface TestRuntime {
  readonly runtime: Runtime;
  readonly driver: LocalDriver;
  readonly url: string;
  close(): Promise<void>;
}

export async function startTestRuntime(databaseUrl: string, options: Partial<RuntimeOptions> & { workDir?: string; log?: Logger } = {}): Promise<TestRuntime> {
  const workDir = options.workDir ?? tempDir('sandboxes');
  // PATH holds node only: declared harnesses whose CLI is missing fail the same way on every machine
  const driver = new LocalDriver({ registry: loadHarnessRegistry(), workDir, modelGatewayUrl: 'http://127.0.0.1:9', log: options.log ?? debugLog, env: { PATH: dirname(process.execPath), CONTAINER_ENV_SHARED_SETTING: 'from-runtime' } });
  const runtime = await startRuntime({ config: testConfig(), databaseUrl, driver, tokenHashes: testTokenHashes(), port: 0, host: '127.0.0.1', log: debugLog, pollMs: 500, ...options });
  await runtime.ready;
  return {
    runtime,
    driver,
    url: runtime.url,
    async close() {
      await runtime.close({ drainMs: 1_000 });
      if (!options.workDir) rmSync(workDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export class Api {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async createSession(harness = 'scripted', title?: string): Promise<string> {
    const res = await this.request('POST', '/v1/sessions', { harness, ...(title ? { title } : {}) });
    if (res.status !== 201) throw new Error(`create session: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.session.id as string;
  }

  async send(sessionId: string, text: string): Promise<number> {
    const res = await this.request('POST', `/v1/sessions/${sessionId}/messages`, { text });
    if (res.status !== 202) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.turn.number as number;
  }

  async events(sessionId: string, after = 0): Promise<any[]> {
    const out: any[] = [];
    for (let cursor = after; ; ) {
      const res = await this.request('GET', `/v1/sessions/${sessionId}/events?after=${cursor}&limit=1000`);
      if (res.status !== 200) throw new Error(`events: ${res.status} ${JSON.stringify(res.body)}`);
      out.push(...res.body.events);
      cursor = res.body.nextAfter;
      if (!res.body.hasMore) return out;
    }
  }

  /** Polls the event log until `turn` has its `done` (bounded). */
  async waitForDone(sessionId: string, turn: number, timeoutMs = 20_000): Promise<any[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = await this.events(sessionId).catch(() => []);
      if (events.some((e) => e.turn === turn && e.type === 'done')) return events.filter((e) => e.turn === turn);
      if (Date.now() > deadline) throw new Error(`turn ${turn} of ${sessionId} has no done after ${timeoutMs} ms; events: ${JSON.stringify(events.slice(-5))}`);
      await delay(50);
    }
  }

  /** Reads the SSE stream until `until` says stop (or the stream ends, or the timeout). */
  async sse(sessionId: string, options: { after?: number; lastEventId?: string; until?: (event: any) => boolean; timeoutMs?: number; onEvent?: (event: any) => void } = {}): Promise<{ events: any[]; ended: boolean; ids: string[] }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 20_000);
    const res = await fetch(`${this.url}/v1/sessions/${sessionId}/events${options.after !== undefined ? `?after=${options.after}` : ''}`, {
      headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream', ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}) },
      signal: controller.signal,
    });
    if (res.status !== 200) throw new Error(`sse: ${res.status} ${await res.text()}`);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const events: any[] = [];
    const ids: string[] = [];
    let ended = true;
    try {
      outer: for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const message of parser.push(decoder.decode(chunk, { stream: true }))) {
          const event = JSON.parse(message.data);
          events.push(event);
          ids.push(message.id ?? '');
          options.onEvent?.(event);
          if (options.until?.(event)) {
            ended = false;
            break outer;
          }
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      ended = false;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    return { events, ended, ids };
  }
}

export const textOf = (events: readonly any[]) => events.filter((e) => e.type === 'text_delta').map((e) => e.text).join('');

/** runtime/main.ts as a real child process, with the files and env a pod would have. */
export interface RuntimeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  waitReady(timeoutMs?: number): Promise<void>;
  /** resolves with the exit code */
  readonly exited: Promise<number | null>;
}

export interface RuntimeProcessFiles {
  readonly dir: string;
  readonly env: Record<string, string>;
}

export function runtimeProcessFiles(databaseUrl: string, config: RuntimeConfig = testConfig()): RuntimeProcessFiles {
  const dir = tempDir('runtime-proc');
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(join(dir, 'tokens', 'admin'), `${hashToken(TOKENS.admin)}\n`);
  writeFileSync(join(dir, 'tokens', 'team.alpha'), `${hashToken(TOKENS.alpha)}\n`);
  writeFileSync(join(dir, 'tokens', 'team.beta'), `${hashToken(TOKENS.beta)}\n`);
  return {
    dir,
    env: {
      PATH: dirname(process.execPath),
      [RUNTIME_ENV.config]: join(dir, 'config.json'),
      [RUNTIME_ENV.tokenHashesDir]: join(dir, 'tokens'),
      [RUNTIME_ENV.databaseUrl]: databaseUrl,
      [RUNTIME_ENV.driver]: 'local',
      PADDOCK_WORK_DIR: join(dir, 'sandboxes'),
      [RUNTIME_ENV.podName]: 'runtime-under-test',
      PADDOCK_LOG_LEVEL: 'debug',
    },
  };
}

export async function spawnRuntime(env: Record<string, string>, port?: number): Promise<RuntimeProcess> {
  const chosen = port ?? (await freeLoopbackPort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/main.ts'], { cwd: join(import.meta.dirname, '..', '..', '..'), env: { ...env, [RUNTIME_ENV.port]: String(chosen) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${chosen}`;
  return {
    url,
    child,
    output: () => output,
    exited,
    async waitReady(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the runtime exited (${child.exitCode}): ${output.slice(-2000)}`);
        const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`the runtime was not ready within ${timeoutMs} ms: ${output.slice(-2000)}`);
        await delay(100);
      }
    },
  };
}

/** Kills leftover harness processes (process groups) a SIGKILLed runtime left behind. */
export function killProcessGroups(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
