/**
 * Runs the scale benchmark's baseline (accept-floor-process.ts): `count` SSE watchers, then
 * `count` messages at once, one per already open connection, exactly as the runtime side is
 * driven. Returns the times from sending a message to its 202 and to its event on the
 * session's stream, and the CPU seconds the floor and Postgres used.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { concurrently } from './concurrently.ts';
import { cpuSeconds, cpuSecondsByName } from './cpu.ts';
import { connectedAgent, sendMessage, subscribe } from './http.ts';

export interface AcceptFloor {
  /** POST -> 202, ms */
  readonly accepted: number[];
  /** POST -> the message's event on the watcher's stream, ms */
  readonly visible: number[];
  readonly errors: number;
  readonly cpu: { readonly floor: number; readonly postgres: number };
}

export async function measureAcceptFloor(cwd: string, databaseUrl: string, count: number, message: string): Promise<AcceptFloor> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./accept-floor-process.ts', import.meta.url))], { cwd, env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the accept floor exited with ${code} before listening`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const parsed = JSON.parse(line) as { floor?: { url: string } };
        if (parsed.floor) resolve(parsed.floor.url);
      });
    });
    const watches = Array.from({ length: count }, () => {
      const sessionId = randomUUID();
      const stream = subscribe(url, sessionId, { parseAll: true });
      const watch: { sessionId: string; sentAt: number; acceptedAt?: number; visibleAt?: number; failed: boolean; stream: typeof stream } = { sessionId, sentAt: 0, failed: false, stream };
      stream.onEvent = (_event, at) => void (watch.visibleAt ??= at);
      return watch;
    });
    await concurrently(watches, 64, (w) => w.stream.opened.catch(() => void (w.failed = true)));
    const agent = await connectedAgent(url, count);
    const burst = async () => {
      for (const w of watches) [w.acceptedAt, w.visibleAt] = [undefined, undefined];
      await Promise.all(
        watches.map((w) => {
          w.sentAt = performance.now();
          return sendMessage(url, w.sessionId, message, agent).then(
            () => void (w.acceptedAt = performance.now()),
            () => void (w.failed = true),
          );
        }),
      );
      const deadline = performance.now() + 30_000;
      while (watches.some((w) => w.visibleAt === undefined && !w.failed) && performance.now() < deadline) await delay(20);
    };
    // the runtime side is measured after its 1,000 first turns: the floor's code is warmed too
    await burst();
    // the runtime side's pause between opening the streams and sending
    await delay(500);
    const before = { floor: cpuSeconds(child.pid!), postgres: cpuSecondsByName('postgres') };
    await burst();
    const cpu = { floor: cpuSeconds(child.pid!) - before.floor, postgres: cpuSecondsByName('postgres') - before.postgres };
    for (const w of watches) w.stream.close();
    agent.destroy();
    return {
      accepted: watches.filter((w) => w.acceptedAt !== undefined).map((w) => w.acceptedAt! - w.sentAt),
      visible: watches.filter((w) => w.visibleAt !== undefined).map((w) => w.visibleAt! - w.sentAt),
      errors: watches.filter((w) => w.failed || w.visibleAt === undefined || w.stream.error() !== undefined).length,
      cpu,
    };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, delay(5_000).then(() => child.kill('SIGKILL'))]);
    }
  }
}
