/**
 * Scale on one replica: 1,000 sessions (each already bound to its own sandbox by an earlier
 * turn) get a message at once, so 1,000 turns are in flight together, each watched by its own
 * SSE client. Each turn streams 20 deltas 300 ms apart (about 6 s). Figures: events delivered
 * to the clients per second (all events of the measured turns, end to end), time from sending
 * the message to the first event of the agent on the client (p50/p99), errors (a rejected
 * message, a broken stream, a turn not completed), and the runtime's resident memory per
 * active session: (RSS while the turns stream − RSS with the sessions idle) / sessions, both
 * after full collections. Targets: no errors, first event p99 < 250 ms, < 200 KiB per session.
 * Baselines, in the same run and first, the same burst against two floors: an implementation
 * that does what the figure's path needs and nothing else (not a proven minimum, but nothing
 * left to take away), on this machine: of a durable accept (support/accept-floor-process.ts:
 * the messages group-committed, each shown on its session's stream, nothing else), for
 * "message accepted"; and of the whole path (support/turn-floor-process.ts: the message and
 * its turn group-committed, the turn sent to a farm sandbox, each event of its stream
 * group-committed and shown, nothing else), for "first agent event". When the whole-path
 * floor itself misses the 250 ms target with every turn through, the target is out of reach
 * on this machine as the bench runs it (the farm, Postgres and the clients share its cores):
 * the output says so, and the runtime's figure is read against the floor's.
 */
import type { Agent } from 'node:http';
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { cpuSeconds, cpuSecondsByName } from '../support/cpu.ts';
import { sampleWaitEvents } from '../support/wait-events.ts';
import { ROOT, type RuntimeBenchmark } from '../support/bench-context.ts';
import { concurrently } from '../support/concurrently.ts';
import { connectedAgent, createSession, sendMessage, subscribe, type Subscription } from '../support/http.ts';
import { rssKiB, settledRssKiB, spawnRuntime, stopRuntime, waitReady } from '../support/runtime-process.ts';
import { ms, percentile } from '../support/stats.ts';
import { measureAcceptFloor } from '../support/accept-floor.ts';
import { measureTurnFloor } from '../support/turn-floor.ts';

const FIRST_EVENT_P99_MS = 250;
const RSS_PER_SESSION_KIB = 200;
const AGENT_EVENTS = new Set(['status', 'text_delta', 'tool_call', 'tool_result', 'error', 'done']);
const MESSAGE = `/slow 300 ${Array.from({ length: 20 }, (_, i) => `word${i + 1}`).join(' ')}`;

interface Watch {
  readonly sessionId: string;
  readonly stream: Subscription;
  sentAt?: number;
  acceptedAt?: number;
  firstAgentEventAt?: number;
  doneAt?: number;
  stopReason?: string;
  events: number;
  errors: number;
  rejected?: string;
  errorEvents: string[];
}

export const scaleBenchmark: RuntimeBenchmark = {
  name: 'scale',
  async run(ctx) {
    const count = ctx.quick ? 100 : 1_000;
    ctx.progress(`scale: baseline, ${count} messages at once to the floor of a durable accept ...`);
    const floor = await measureAcceptFloor(ROOT, (await ctx.freshDatabase()).url, count, MESSAGE);
    ctx.progress(`scale: baseline, ${count} messages at once to the floor of the whole path, on a farm of its own ...`);
    const floorFarm = await ctx.startFarm();
    // a floor that failed is reported as such: the runtime side is measured all the same
    const pathFloor = await measureTurnFloor(ROOT, (await ctx.freshDatabase()).url, floorFarm, count, MESSAGE, AGENT_EVENTS)
      .catch((error: Error) => ({ accepted: [], firstEvent: [], errors: count, failure: error.message, cpu: { floor: 0, farm: 0, postgres: 0 } }))
      .finally(() => floorFarm.close());
    const { url, db } = await ctx.freshDatabase();
    const farm = await ctx.startFarm();
    const runtime = await spawnRuntime({ cwd: ROOT, entry: ctx.runtimeEntry, databaseUrl: url, farmUrl: farm.url, maxConcurrentTurns: count + 64 });
    const watches: Watch[] = [];
    let agent: Agent | undefined;
    try {
      await waitReady(runtime);
      ctx.progress(`scale: ${count} sessions, each bound to its sandbox by a first turn ...`);
      const sessions = await concurrently(Array.from({ length: count }), 32, () => createSession(runtime.url));
      await concurrently(sessions, 32, (id) => sendMessage(runtime.url, id, 'hello'));
      for (;;) {
        const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM turns WHERE turn = 1 AND state = 'completed'");
        if (rows[0]!.n === count) break;
        await delay(200);
      }
      await delay(1_000);
      const idleRss = await settledRssKiB(runtime.pid);

      ctx.progress(`scale: ${count} SSE clients, then ${count} messages at once ...`);
      for (const sessionId of sessions) {
        const stream = subscribe(runtime.url, sessionId, { parseAll: true });
        const watch: Watch = { sessionId, stream, events: 0, errors: 0, errorEvents: [] };
        stream.onEvent = (event, at) => {
          if (event.turn !== 2) return;
          watch.events++;
          if (AGENT_EVENTS.has(event.type) && watch.firstAgentEventAt === undefined) watch.firstAgentEventAt = at;
          if (event.type === 'error') {
            watch.errors++;
            watch.errorEvents.push(String(event.code));
          }
          if (event.type === 'done') {
            watch.doneAt = at;
            watch.stopReason = String(event.stopReason);
          }
        };
        watches.push(watch);
      }
      await concurrently(watches, 64, (w) => w.stream.opened.catch(() => void w.errors++));
      // one open connection per user: the burst measures the runtime, not TCP handshakes
      agent = await connectedAgent(runtime.url, count);
      await delay(500);

      const started = performance.now();
      const cpuBefore = { runtime: cpuSeconds(runtime.pid), postgres: cpuSecondsByName('postgres'), farm: cpuSeconds(farm.pid), bench: process.cpuUsage() };
      const waits = sampleWaitEvents(db);
      let peakRss = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peakRss = Math.max(peakRss, rssKiB(runtime.pid));
          await delay(100);
        }
      })();
      await Promise.all(
        watches.map((w) => {
          w.sentAt = performance.now();
          return sendMessage(runtime.url, w.sessionId, MESSAGE, agent!).then(
            () => void (w.acceptedAt = performance.now()),
            (error: Error) => {
              w.errors++;
              w.rejected = error.message.replace(/^POST \S+: /, '').slice(0, 80);
            },
          );
        }),
      );
      // every turn streaming (its first agent event seen), then the memory of that moment
      const deadline = performance.now() + 60_000;
      while (watches.some((w) => w.firstAgentEventAt === undefined && w.errors === 0) && performance.now() < deadline) await delay(20);
      const { rows: runningRows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM turns WHERE turn = 2 AND state = 'running'");
      const activeRss = await settledRssKiB(runtime.pid);
      const doneDeadline = performance.now() + 120_000;
      while (watches.some((w) => w.doneAt === undefined && w.errors === 0 && !w.stream.error()) && performance.now() < doneDeadline) await delay(50);
      sampling = false;
      await sampler;
      const lastDone = Math.max(...watches.map((w) => w.doneAt ?? 0));
      const waited = await waits.stop();
      // where a first event's time went: when its message and the event were stored (each
      // statement's now(), on the same machine clock as the bench's), then when it arrived
      const { rows: stored } = await db.query<{ session_id: string; message_at: number; first_at: number | null }>(
        `SELECT session_id, extract(epoch FROM min(created_at) FILTER (WHERE type = 'user_message')) * 1000 AS message_at,
                extract(epoch FROM min(created_at) FILTER (WHERE type IN (${[...AGENT_EVENTS].map((t) => `'${t}'`).join(', ')}))) * 1000 AS first_at
           FROM events WHERE turn = 2 GROUP BY session_id`,
      );
      const storedAt = new Map(stored.map((r) => [r.session_id, r]));
      const sinceSent = (w: Watch, epochMs: number | null | undefined) => (epochMs == null || w.sentAt === undefined ? undefined : epochMs - (performance.timeOrigin + w.sentAt));
      const messageStored = watches.map((w) => sinceSent(w, storedAt.get(w.sessionId)?.message_at)).filter((v): v is number => v !== undefined);
      const firstStored = watches.map((w) => sinceSent(w, storedAt.get(w.sessionId)?.first_at)).filter((v): v is number => v !== undefined);
      const cpu = {
        runtime: cpuSeconds(runtime.pid) - cpuBefore.runtime,
        postgres: cpuSecondsByName('postgres') - cpuBefore.postgres,
        farm: cpuSeconds(farm.pid) - cpuBefore.farm,
        bench: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpuBefore.bench)),
      };

      const errors = watches.reduce((n, w) => n + w.errors + (w.stream.error() ? 1 : 0) + (w.stopReason === 'end_turn' ? 0 : 1), 0);
      const kinds = new Map<string, number>();
      const tally = (kind: string) => kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      for (const w of watches) {
        if (w.rejected) tally(`message rejected: ${w.rejected}`);
        for (const code of w.errorEvents) tally(`error event ${code}`);
        if (w.stream.error()) tally(`stream: ${w.stream.error()!.message.slice(0, 60)}`);
        if (!w.rejected && w.stopReason !== 'end_turn') tally(`turn ended ${w.stopReason ?? 'never (no done)'}`);
      }
      const firsts = watches.filter((w) => w.firstAgentEventAt !== undefined && w.sentAt !== undefined).map((w) => w.firstAgentEventAt! - w.sentAt!);
      const accepts = watches.filter((w) => w.acceptedAt !== undefined).map((w) => w.acceptedAt! - w.sentAt!);
      const delivered = watches.reduce((n, w) => n + w.events, 0);
      const rate = (delivered / (lastDone - started)) * 1000;
      const perSession = (activeRss - idleRss) / count;
      const p99 = percentile(firsts, 99);
      const floorVisibleP99 = percentile(floor.visible, 99);
      const pathFloorP99 = percentile(pathFloor.firstEvent, 99);
      // a verdict only from a floor whose every turn went through
      const floorValid = pathFloor.errors === 0 && pathFloor.firstEvent.length === count;
      const floorVerdict = !floorValid
        ? `The floor is invalid this run (${pathFloor.errors} of ${count} turns failed${'failure' in pathFloor ? `: ${pathFloor.failure}` : ''}): no verdict on the target`
        : pathFloorP99 >= FIRST_EVENT_P99_MS
          ? `The floor misses the ${FIRST_EVENT_P99_MS} ms target itself: the target is out of reach on this machine (the floor shares its ${availableParallelism()} cores with the farm, Postgres and the clients, as the runtime does)`
          : `The floor meets the ${FIRST_EVENT_P99_MS} ms target: the target is reachable on this machine`;
      return {
        title: 'scale',
        method: [`${count} sessions on one replica, all turns in flight at once (${runningRows[0]!.n} running when the memory was read), each watched by its own SSE client; turns stream 20 deltas 300 ms apart`],
        figures: [
          {
            name: 'events delivered',
            value: `${Math.round(rate)} events/s (${delivered} events of ${count} turns in ${((lastDone - started) / 1000).toFixed(1)} s)`,
            note: `CPU seconds in that time: runtime ${cpu.runtime.toFixed(1)}, Postgres ${cpu.postgres.toFixed(1)}, sandbox farm ${cpu.farm.toFixed(1)}, bench client ${cpu.bench.toFixed(1)} (of ${((availableParallelism() * (lastDone - started)) / 1000).toFixed(1)} on ${availableParallelism()} cores)`,
          },
          { name: 'Postgres backends wait on', value: waited },
          {
            name: 'baseline: floor accept p50/p99',
            value: `${ms(percentile(floor.accepted, 50))} / ${ms(percentile(floor.accepted, 99))} to 202; ${ms(percentile(floor.visible, 50))} / ${ms(floorVisibleP99)} to the message on the stream${floor.errors > 0 ? `; ${floor.errors} errors` : ''}`,
            note: `the same ${count} messages at once (after a warm-up burst) to a process that only group-commits them (one INSERT per batch, pool of 20) and writes each to its watcher's stream; CPU seconds: it ${floor.cpu.floor.toFixed(1)}, Postgres ${floor.cpu.postgres.toFixed(1)}`,
          },
          {
            name: 'baseline: floor of the whole path',
            value: `first agent event p50/p99 ${ms(percentile(pathFloor.firstEvent, 50))} / ${ms(pathFloorP99)}; 202 p50/p99 ${ms(percentile(pathFloor.accepted, 50))} / ${ms(percentile(pathFloor.accepted, 99))}${pathFloor.errors > 0 ? `; ${pathFloor.errors} errors` : ''}`,
            note: `the same burst to a process that group-commits each message with its turn, sends the turn to a farm sandbox, and group-commits and shows each event of its stream (no lease, check, history, audit or tracing); CPU seconds until every turn was done: it ${pathFloor.cpu.floor.toFixed(1)}, farm ${pathFloor.cpu.farm.toFixed(1)}, Postgres ${pathFloor.cpu.postgres.toFixed(1)}. ${floorVerdict}`,
          },
          { name: 'message accepted p50/p99', value: `${ms(percentile(accepts, 50))} / ${ms(percentile(accepts, 99))} (POST -> 202, the turn stored)` },
          { name: 'first agent event p50', value: ms(percentile(firsts, 50)) },
          {
            name: 'first agent event: the steps',
            value: `message stored ${ms(percentile(messageStored, 50), 0)} / ${ms(percentile(messageStored, 99), 0)}, the event stored ${ms(percentile(firstStored, 50), 0)} / ${ms(percentile(firstStored, 99), 0)}, on the client ${ms(percentile(firsts, 50), 0)} / ${ms(percentile(firsts, 99), 0)} (p50 / p99 after sending; stored = the statement's start)`,
          },
          { name: 'first agent event p99', value: `${ms(p99)}${floorValid ? ` (${(p99 / pathFloorP99).toFixed(1)}x the whole-path floor's p99${pathFloorP99 >= FIRST_EVENT_P99_MS ? '; the floor misses the target too: out of reach here' : ''})` : ' (no valid whole-path floor this run)'}`, target: `< ${FIRST_EVENT_P99_MS} ms`, pass: p99 < FIRST_EVENT_P99_MS },
          { name: 'errors', value: `${errors}${kinds.size > 0 ? ` (${[...kinds].map(([k, n]) => `${n}x ${k}`).join('; ')})` : ''}`, target: '0', pass: errors === 0 },
          { name: 'RSS per active session', value: `${perSession.toFixed(1)} KiB (idle ${Math.round(idleRss / 1024)} MiB, streaming ${Math.round(activeRss / 1024)} MiB after GC, peak ${Math.round(peakRss / 1024)} MiB)`, target: `< ${RSS_PER_SESSION_KIB} KiB`, pass: perSession < RSS_PER_SESSION_KIB },
        ],
      };
    } finally {
      for (const w of watches) w.stream.close();
      agent?.destroy();
      await stopRuntime(runtime);
    }
  },
};
