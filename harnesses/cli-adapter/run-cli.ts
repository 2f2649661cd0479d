/**
 * Runs one agent CLI invocation for one turn and turns its JSON-lines stdout into protocol
 * events through a harness-specific mapper. Shared by every CLI-driven adapter, it owns the
 * process rules of docs/harnesses.md:
 * - the CLI runs in its own process group; abort (or the runtime hanging up) ends it and its
 *   descendants (killTree) and the turn ends `aborted`;
 * - the prompt goes in on stdin (argv is limited to 128 KiB per argument, a replayed history
 *   is not);
 * - a CLI that exits without a final result (crash, OOM kill, bad flag) becomes an `error`
 *   event then `done {stopReason:"error"}` carrying its redacted stderr: never a hang. Stray
 *   grandchildren holding stdout open cannot keep the turn alive past `closeWaitMs`;
 * - a final result is held back until the CLI has exited, so the CLI finishes writing its
 *   session files before the next turn resumes them.
 */
import { spawn } from 'node:child_process';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { createInterface } from 'node:readline';
import type { HarnessEvent } from '../protocol/types.ts';
import { killTree } from './process-tree.ts';
import { redact, secretValues } from './redact.ts';

export interface CliInvocation {
  /** short name for messages, e.g. "claude" */
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** written to stdin, which is then closed */
  readonly stdin: string;
}

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** the end of stderr, redacted */
  readonly stderrTail: string;
}

/** Maps one CLI's output; one instance per turn (it may keep state between lines). */
export interface CliStreamMapper {
  /** events for one stdout line that parsed as JSON; never `done` (see finish) */
  map(message: unknown): readonly HarnessEvent[];
  /** true once the CLI reported the final result of the turn */
  readonly completed: boolean;
  /**
   * The events that end the turn once the CLI has exited: `done`, after an `error` when the
   * turn failed or the CLI died without a result. Called once, unless the turn was aborted.
   */
  finish(exit: CliExit): readonly HarnessEvent[];
}

export interface RunCliOptions {
  readonly signal: AbortSignal;
  readonly log: (message: string) => void;
  /** SIGTERM → SIGKILL grace when ending the CLI (keep it under the server's abort grace) */
  readonly killGraceMs?: number;
  /** how long to wait for stdout to close after the CLI exited */
  readonly closeWaitMs?: number;
  /** how long a CLI may linger after its final result before it is ended */
  readonly exitWaitMs?: number;
}

type Item = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null } | { readonly kind: 'spawn_error'; readonly error: NodeJS.ErrnoException } | { readonly kind: 'abort' };

/** A tiny unbounded queue bridging callbacks to an async loop. */
class Mailbox<T> {
  private readonly items: T[] = [];
  private waiter: ((item: T) => void) | undefined;

  put(item: T): void {
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = undefined;
      wake(item);
    } else this.items.push(item);
  }

  /** everything queued right now, without waiting */
  drain(): T[] {
    return this.items.splice(0, this.items.length);
  }

  take(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

const STDERR_TAIL_BYTES = 4096;

export function describeExit(label: string, exit: CliExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const tail = exit.stderrTail.trim();
  return `${label} ${how} before finishing the turn${tail ? `: ${tail.slice(-1000)}` : ''}`;
}

export async function* runCli(invocation: CliInvocation, mapper: CliStreamMapper, options: RunCliOptions): AsyncGenerator<HarnessEvent> {
  const { signal, log } = options;
  const secrets = secretValues(invocation.env);
  if (signal.aborted) return;
  // a child of the harness.turn server span (the runtime's trace); a no-op with tracing off
  const span = trace.getTracer('paddock-harness').startSpan('cli.run', { attributes: { 'paddock.cli': invocation.label } });
  const child = spawn(invocation.command, [...invocation.args], {
    cwd: invocation.cwd,
    env: invocation.env,
    detached: true, // own process group, so abort can end the whole tree
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const mailbox = new Mailbox<Item>();
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, sig) => {
      exited = true;
      mailbox.put({ kind: 'exit', code, signal: sig });
      resolve();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        exited = true;
        resolve();
      }
      mailbox.put({ kind: 'spawn_error', error });
    });
  });
  const onAbort = () => mailbox.put({ kind: 'abort' });
  signal.addEventListener('abort', onAbort, { once: true });

  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  const stdoutClosed = new Promise<void>((resolve) => child.stdout.once('close', () => resolve()));
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  lines.on('line', (text) => mailbox.put({ kind: 'line', text }));
  child.stdin.on('error', () => undefined); // a CLI that exits early closes its stdin: EPIPE is not news
  child.stdin.end(invocation.stdin);
  log(`started ${invocation.label} (pid ${child.pid ?? '?'})`);
  if (child.pid !== undefined) span.setAttribute('process.pid', child.pid);

  let finished = false;
  let lingerTimer: NodeJS.Timeout | undefined;
  const mapLine = (raw: string): readonly HarnessEvent[] => {
    const text = raw.trim();
    if (text === '') return [];
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      log(`${invocation.label} stdout (not JSON): ${redact(text, secrets).slice(0, 300)}`);
      return [];
    }
    return mapper.map(message);
  };
  try {
    for (;;) {
      const item = await mailbox.take();
      if (item.kind === 'abort') {
        log(`aborting ${invocation.label} (pid ${child.pid ?? '?'}) and its children`);
        if (child.pid !== undefined && !exited) await killTree(child.pid, { exited: exitPromise, graceMs: options.killGraceMs ?? 1000 });
        return;
      }
      if (item.kind === 'spawn_error') {
        if (child.pid !== undefined) continue; // an error after a successful spawn ends with 'exit'
        finished = true;
        const missing = item.error.code === 'ENOENT';
        yield {
          type: 'error',
          code: missing ? 'cli_not_found' : 'cli_spawn_failed',
          message: missing ? `the ${invocation.label} CLI was not found at "${invocation.command}": install it (scripts/install-harness-clis.sh) or set its path` : `could not start ${invocation.label}: ${item.error.message}`,
          retryable: false,
        };
        yield { type: 'done', stopReason: 'error' };
        return;
      }
      if (item.kind === 'line') {
        yield* mapLine(item.text);
        // the CLI reported its result: let it exit on its own (it is saving its session), but
        // not forever
        if (mapper.completed && !exited && lingerTimer === undefined && child.pid !== undefined) {
          const pid = child.pid;
          lingerTimer = setTimeout(() => void killTree(pid, { exited: exitPromise, graceMs: 500 }), options.exitWaitMs ?? 10_000);
        }
        continue;
      }
      // exit: read what is still buffered, without waiting forever for a stdout that a stray
      // grandchild keeps open
      let closeTimer: NodeJS.Timeout | undefined;
      await Promise.race([stdoutClosed, new Promise<void>((resolve) => (closeTimer = setTimeout(resolve, options.closeWaitMs ?? 2000)))]);
      clearTimeout(closeTimer);
      lines.close();
      for (const rest of mailbox.drain()) if (rest.kind === 'line') yield* mapLine(rest.text);
      finished = true;
      const exit: CliExit = { code: item.code, signal: item.signal, stderrTail: redact(stderrTail, secrets) };
      span.setAttributes({ 'process.exit.code': item.code ?? -1, 'paddock.cli.completed': mapper.completed });
      if (!mapper.completed) span.setStatus({ code: SpanStatusCode.ERROR, message: describeExit(invocation.label, { ...exit, stderrTail: '' }) });
      if (!mapper.completed) log(describeExit(invocation.label, exit));
      yield* mapper.finish(exit);
      return;
    }
  } finally {
    clearTimeout(lingerTimer);
    signal.removeEventListener('abort', onAbort);
    lines.close();
    if (!finished && child.pid !== undefined && !exited) await killTree(child.pid, { exited: exitPromise, graceMs: options.killGraceMs ?? 1000 });
    span.end();
  }
}
