/**
 * The local sandbox driver: each sandbox is a child process on a free loopback port, started
 * from the harness definition's `local.command` in the harness folder, with the sandbox env
 * (sandbox-env.ts) and a fresh per-sandbox token. For dev mode and tests.
 *
 * IT ISOLATES NOTHING: the agent runs as your user, with your files and your network.
 *
 * Harness processes are started in their own process group and outlive a crashed runtime, so
 * a restarted runtime re-attaches to them through the binding in Postgres (endpoint + token)
 * instead of losing the agent's state; `release` ends the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { HarnessRegistry } from '../../../config/harness-definition.ts';
import { CONTAINER_ENV_PREFIX } from '../../../config/names.ts';
import { installedCli } from '../../../harnesses/cli-adapter/resolve-cli.ts';
import { HarnessClient } from '../../../harnesses/protocol/client.ts';
import { HARNESSES_DIR } from '../../../harnesses/registry.ts';
import { freeLoopbackPort } from '../../net.ts';
import { errorMessage, type Logger } from '../../log.ts';
import { SandboxError, type SandboxBinding, type SandboxDriver, type SandboxRequest } from '../sandbox-driver.ts';
import { buildSandboxEnv } from './sandbox-env.ts';

export interface LocalDriverOptions {
  readonly registry: HarnessRegistry;
  /** folder of harness folders (default: the repository's harnesses/) */
  readonly harnessesDir?: string;
  /** where sandbox workspaces and homes are created (<workDir>/<sandbox id>/...) */
  readonly workDir: string;
  readonly modelGatewayUrl: string;
  /** the runtime's environment, for CONTAINER_ENV_* and PATH (default process.env) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly startTimeoutMs?: number;
  readonly log: Logger;
}

interface LocalSandbox {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly exited: Promise<void>;
}

export const LOCAL_DRIVER_WARNING =
  'LOCAL SANDBOX DRIVER: agents run as plain processes of your user on this machine. They isolate NOTHING (files, network, credentials). Use it for development only; clusters use the kubernetes driver.';

function onPath(executable: string, path: string | undefined): boolean {
  if (executable.includes('/')) return existsSync(executable);
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, executable), constants.X_OK);
      return true;
    } catch {
      /* not here */
    }
  }
  return false;
}

const SCRIPT = /\.(ts|mts|js|mjs|cjs)$/;

export class LocalDriver implements SandboxDriver {
  readonly name = 'local' as const;
  private readonly sandboxes = new Map<string, LocalSandbox>();
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly harnessesDir: string;

  constructor(private readonly options: LocalDriverOptions) {
    this.env = options.env ?? process.env;
    this.harnessesDir = options.harnessesDir ?? HARNESSES_DIR;
    options.log.warn(LOCAL_DRIVER_WARNING);
  }

  /** Why a harness cannot run locally, or undefined when it can. */
  unavailableReason(harness: string): string | undefined {
    const definition = this.options.registry.get(harness);
    if (!definition) return `there is no harness "${harness}" in ${this.harnessesDir}`;
    if (!definition.local) return `harness "${harness}" declares no local command (harness.yaml "local"), so it cannot run outside a cluster`;
    const dir = join(this.harnessesDir, harness);
    // where the adapter looks too (resolveCli): installed next to it, else on PATH
    const missing = definition.local.requiresExecutables.filter((e) => !installedCli(dir, e) && !onPath(e, this.env.PATH));
    if (missing.length > 0) {
      const names = missing.map((e) => `"${e}"`).join(', ');
      return `harness "${harness}" needs ${names}, found neither in ${join(dir, 'node_modules', '.bin')} nor on PATH; run "scripts/install-harness-clis.sh ${harness}" (or put ${missing.length > 1 ? 'them' : 'it'} on PATH) and restart, or use the "scripted" harness`;
    }
    // a cluster gives these from the team's secrets; here only the runtime's CONTAINER_ENV_* can
    const unset = definition.requiredEnv.filter((name) => !this.env[`${CONTAINER_ENV_PREFIX}${name}`]);
    if (unset.length > 0) {
      return `harness "${harness}" needs ${unset.join(', ')} (harness.yaml requiredEnv; for an agent CLI, its model gateway key): start paddock dev with ${unset.map((n) => `${CONTAINER_ENV_PREFIX}${n}=<value>`).join(' ')} and PADDOCK_MODEL_GATEWAY_URL=<a gateway this machine reaches>, or use the "scripted" harness`;
    }
    const absent = definition.local.command.slice(1).filter((arg) => !arg.startsWith('-') && SCRIPT.test(arg) && !existsSync(isAbsolute(arg) ? arg : join(dir, arg)));
    if (absent.length > 0) return `harness "${harness}" is not installed locally: ${absent.map((a) => join(dir, a)).join(', ')} does not exist`;
    return undefined;
  }

  async acquire(request: SandboxRequest, signal?: AbortSignal): Promise<SandboxBinding> {
    const reason = this.unavailableReason(request.harness.name);
    if (reason) throw new SandboxError('harness_unavailable', reason, true);
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        return await this.start(request, signal);
      } catch (error) {
        lastError = error;
        // another process took the free port between our probe and the harness's listen
        if (!(error instanceof SandboxError && /EADDRINUSE/.test(error.message)) || signal?.aborted) throw error;
      }
    }
    throw lastError;
  }

  private async start(request: SandboxRequest, signal?: AbortSignal): Promise<SandboxBinding> {
    const definition = this.options.registry.get(request.harness.name)!;
    const [command, ...args] = definition.local!.command;
    const sandboxId = `local-${randomUUID()}`;
    const dir = resolve(this.options.workDir, sandboxId);
    const workspace = join(dir, 'workspace');
    const home = join(dir, 'home');
    mkdirSync(workspace, { recursive: true });
    mkdirSync(home, { recursive: true });
    const port = await freeLoopbackPort();
    const token = randomBytes(32).toString('base64url');
    const { env, ignored } = buildSandboxEnv({ runtimeEnv: this.env, team: request.team, harness: request.harness, modelGatewayUrl: this.options.modelGatewayUrl, port, token, workspace, home });
    for (const line of ignored) this.options.log.warn(`ignored ${line}`);

    const child = spawn(command === 'node' ? process.execPath : command!, args, { cwd: join(this.harnessesDir, request.harness.name), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderrTail: string[] = [];
    const log = this.options.log;
    const forward = (stream: NodeJS.ReadableStream | null, isErr: boolean) => {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (isErr) {
            stderrTail.push(line);
            if (stderrTail.length > 20) stderrTail.shift();
          }
          log.debug('harness output', { sandbox: sandboxId, stream: isErr ? 'stderr' : 'stdout', line });
        }
      });
    };
    forward(child.stdout, false);
    forward(child.stderr, true);
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((done) => {
      child.once('exit', (code, sig) => {
        exitCode = code ?? (sig ? -1 : null);
        this.sandboxes.delete(sandboxId);
        done();
      });
      child.once('error', (error) => {
        stderrTail.push(error.message);
        exitCode = -1;
        done();
      });
    });
    this.sandboxes.set(sandboxId, { child, dir, exited });

    const client = new HarnessClient(`http://127.0.0.1:${port}`, token, { timeoutMs: 1_000 });
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 20_000);
    try {
      for (;;) {
        if (signal?.aborted) throw new SandboxError('driver_error', 'the sandbox start was cancelled', false);
        if (exitCode !== undefined) {
          throw new SandboxError('harness_unavailable', `harness "${request.harness.name}" exited while starting (code ${exitCode}): ${stderrTail.slice(-5).join(' | ') || 'no output'}`, false);
        }
        try {
          const health = await client.health();
          if (health.bound) break;
        } catch {
          /* not listening yet */
        }
        if (Date.now() > deadline) throw new SandboxError('ready_timeout', `harness "${request.harness.name}" did not answer /healthz within ${this.options.startTimeoutMs ?? 20_000} ms`, false);
        await delay(25);
      }
    } catch (error) {
      await this.stopChild(sandboxId);
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    this.options.log.info('local sandbox started', { sandbox: sandboxId, harness: request.harness.name, team: request.team.name, pid: child.pid, port });
    return { driver: 'local', sandboxId, sandboxName: String(child.pid), namespace: request.team.namespace, endpoint: `http://127.0.0.1:${port}`, token };
  }

  /** isAlive is nothing but the harness's status call: there is no word of its own to ask, the keeper's protocol call proves the rest */
  holdsIncarnation(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async isAlive(binding: SandboxBinding): Promise<boolean> {
    try {
      await new HarnessClient(binding.endpoint, binding.token, { timeoutMs: 2_000 }).status();
      return true;
    } catch {
      return false;
    }
  }

  async release(binding: SandboxBinding): Promise<void> {
    if (this.sandboxes.has(binding.sandboxId)) {
      await this.stopChild(binding.sandboxId);
    } else if (await this.isAlive(binding)) {
      // started by an earlier runtime process: it answered with our token, so the pid is ours
      const pid = Number(binding.sandboxName);
      if (Number.isInteger(pid) && pid > 1) {
        signalGroup(pid, 'SIGTERM');
        for (let i = 0; i < 60 && (await this.isAlive(binding)); i++) await delay(50);
        signalGroup(pid, 'SIGKILL');
      }
    }
    rmSync(resolve(this.options.workDir, binding.sandboxId), { recursive: true, force: true });
  }

  private async stopChild(sandboxId: string): Promise<void> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox || sandbox.child.pid === undefined) return;
    signalGroup(sandbox.child.pid, 'SIGTERM');
    const stopped = await Promise.race([sandbox.exited.then(() => true), delay(3_000, undefined, { ref: false }).then(() => false)]);
    if (!stopped) {
      signalGroup(sandbox.child.pid, 'SIGKILL');
      await sandbox.exited;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.sandboxes.keys()].map((id) => this.stopChild(id).catch((error: unknown) => this.options.log.warn('stopping a local sandbox failed', { sandbox: id, error: errorMessage(error) }))));
  }

  /** pids of the harness processes this driver runs (for tests and diagnostics) */
  get pids(): number[] {
    return [...this.sandboxes.values()].map((s) => s.child.pid).filter((p): p is number => p !== undefined);
  }
}

/** Signals a process group (the harness and its children), falling back to the process. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}
