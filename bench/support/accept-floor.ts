/**
 * Runs the scale benchmark's baseline (accept-floor-process.ts): `count` SSE watchers, then
 * `count` messages at once, one per already open connection, exactly as the runtime side is
 * driven. Returns the times from sending a message to its 202 and to its event on the
 * session's stream, and the CPU seconds the floor and Postgres used.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { concurrently } from './concurrently.ts';
import { startFloorProcess } from './floor-process.ts';
import { cpuSeconds, cpuSecondsByName } from './cpu.ts';
import { connectedAgent, sendBurst, subscribe, type BurstSender } from './http.ts';

export interface AcceptFloor {
  /** POST -> 202, ms */
  readonly accepted: number[];
  /** POST -> the message's event on the watcher's stream, ms */
  readonly visible: number[];
  readonly errors: number;
  readonly cpu: { readonly floor: number; readonly postgres: number };
}

export async function measureAcceptFloor(cwd: string, databaseUrl: string, count: number, message: string): Promise<AcceptFloor> {
  const floor = await startFloorProcess(cwd, new URL('./accept-floor-process.ts', import.meta.url), { DATABASE_URL: databaseUrl });
  const { url } = floor;
  try {
    const watches = Array.from({ length: count }, () => {
      const sessionId = randomUUID();
      const stream = subscribe(url, sessionId, { parseAll: true });
      const watch: BurstSender & { visibleAt?: number; stream: typeof stream } = { sessionId, failed: false, stream };
      stream.onEvent = (_event, at) => void (watch.visibleAt ??= at);
      return watch;
    });
    await concurrently(watches, 64, (w) => w.stream.opened.catch(() => void (w.failed = true)));
    const agent = await connectedAgent(url, count);
    const burst = async () => {
      for (const w of watches) [w.acceptedAt, w.visibleAt] = [undefined, undefined];
      await sendBurst(url, watches, message, agent);
      const deadline = performance.now() + 30_000;
      while (watches.some((w) => w.visibleAt === undefined && !w.failed) && performance.now() < deadline) await delay(20);
    };
    // the runtime side is measured after its 1,000 first turns: the floor's code is warmed too
    await burst();
    // the runtime side's pause between opening the streams and sending
    await delay(500);
    const before = { floor: cpuSeconds(floor.pid), postgres: cpuSecondsByName('postgres') };
    await burst();
    const cpu = { floor: cpuSeconds(floor.pid) - before.floor, postgres: cpuSecondsByName('postgres') - before.postgres };
    for (const w of watches) w.stream.close();
    agent.destroy();
    return {
      accepted: watches.filter((w) => w.acceptedAt !== undefined).map((w) => w.acceptedAt! - w.sentAt!),
      visible: watches.filter((w) => w.visibleAt !== undefined).map((w) => w.visibleAt! - w.sentAt!),
      errors: watches.filter((w) => w.failed || w.visibleAt === undefined || w.stream.error() !== undefined).length,
      cpu,
    };
  } finally {
    await floor.stop();
  }
}
