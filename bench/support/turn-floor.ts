/**
 * Runs the scale benchmark's whole-path baseline (turn-floor-process.ts) as the runtime side
 * is driven (which alone also samples Postgres' wait events and its memory in the burst): `count` sessions (a farm sandbox each), a first turn on each, `count`
 * SSE watchers, then `count` messages at once, one per already open connection. Returns the
 * times from sending a message to its 202 and to the agent's first event on the session's
 * stream, and the CPU seconds the floor, the farm and Postgres used in the burst.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { concurrently } from './concurrently.ts';
import { startFloorProcess } from './floor-process.ts';
import { cpuSeconds, cpuSecondsByName } from './cpu.ts';
import { connectedAgent, createSession, sendBurst, sendMessage, subscribe, type Subscription } from './http.ts';

export interface TurnFloor {
  /** POST -> 202, ms */
  readonly accepted: number[];
  /** POST -> the agent's first event of the turn on the watcher's stream, ms */
  readonly firstEvent: number[];
  readonly errors: number;
  readonly cpu: { readonly floor: number; readonly farm: number; readonly postgres: number };
}

interface Watch {
  readonly sessionId: string;
  readonly stream: Subscription;
  turn: number;
  sentAt?: number;
  acceptedAt?: number;
  firstAt?: number;
  doneAt?: number;
  failed: boolean;
}

export async function measureTurnFloor(cwd: string, databaseUrl: string, farm: { url: string; pid: number }, count: number, message: string, agentEvents: ReadonlySet<string>): Promise<TurnFloor> {
  const floor = await startFloorProcess(cwd, new URL('./turn-floor-process.ts', import.meta.url), { DATABASE_URL: databaseUrl, FARM_URL: farm.url });
  const { url } = floor;
  const watches: Watch[] = [];
  try {
    const sessions = await concurrently(Array.from({ length: count }), 32, () => createSession(url));
    for (const sessionId of sessions) {
      const stream = subscribe(url, sessionId, { parseAll: true });
      const watch: Watch = { sessionId, stream, turn: 1, failed: false };
      stream.onEvent = (event, at) => {
        if (event.turn !== watch.turn) return;
        if (event.type === 'floor_failed') watch.failed = true;
        if (agentEvents.has(event.type)) watch.firstAt ??= at;
        if (event.type === 'done') watch.doneAt = at;
      };
      watches.push(watch);
    }
    await concurrently(watches, 64, (w) => w.stream.opened.catch(() => void (w.failed = true)));
    const untilDone = async (timeoutMs: number) => {
      const deadline = performance.now() + timeoutMs;
      while (watches.some((w) => w.doneAt === undefined && !w.failed && !w.stream.error()) && performance.now() < deadline) await delay(50);
    };
    // as on the runtime side: every session's sandbox bound (and its connection open) by a first turn
    await concurrently(watches, 32, (w) => sendMessage(url, w.sessionId, 'hello').catch(() => void (w.failed = true)));
    await untilDone(60_000);
    for (const w of watches) [w.turn, w.firstAt, w.doneAt] = [2, undefined, undefined];
    const agent = await connectedAgent(url, count);
    await delay(500);
    const before = { floor: cpuSeconds(floor.pid), farm: cpuSeconds(farm.pid), postgres: cpuSecondsByName('postgres') };
    await sendBurst(url, watches, message, agent);
    await untilDone(120_000);
    const cpu = { floor: cpuSeconds(floor.pid) - before.floor, farm: cpuSeconds(farm.pid) - before.farm, postgres: cpuSecondsByName('postgres') - before.postgres };
    agent.destroy();
    const ok = (w: Watch) => !w.failed && w.sentAt !== undefined && w.firstAt !== undefined && w.doneAt !== undefined && w.stream.error() === undefined;
    return {
      accepted: watches.filter((w) => w.acceptedAt !== undefined).map((w) => w.acceptedAt! - w.sentAt!),
      // only turns that went through whole: a failure's early event is no first event of the path
      firstEvent: watches.filter((w) => ok(w)).map((w) => w.firstAt! - w.sentAt!),
      errors: watches.filter((w) => !ok(w)).length,
      cpu,
    };
  } finally {
    for (const w of watches) w.stream.close();
    await floor.stop();
  }
}
