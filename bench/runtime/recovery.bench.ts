/**
 * Recovery after a crash: a replica running 1,000 turns (their sandboxes alive, each turn
 * streaming — `/hang` keeps it open) among 10,000 and then 50,000 sessions in the database is
 * SIGKILLed; a new process of the same replica starts (a pod's next container). The figure is
 * the time from the new process's spawn until every interrupted turn is reported (state
 * `interrupted`, its `error` and `done` stored: ADR 0005 reports, never re-runs) and a new
 * message on each of those sessions — sent as soon as /readyz answers, like a user's retry —
 * was accepted (202) and is running on the session's sandbox (dispatched). The new turns find
 * their sandbox alive, check it over the protocol and reuse it. Target: < 2 s. One unmeasured
 * round of the same crash comes first: the sandbox farm and this client stand in for 1,000
 * pods and their users, which a crash of the runtime does not make cold; the runtime process
 * is new in every round.
 */
import { availableParallelism } from 'node:os';
import type pg from 'pg';
import { ROOT, type RuntimeBenchmark } from '../support/bench-context.ts';
import { concurrently } from '../support/concurrently.ts';
import { createSession, sendMessage } from '../support/http.ts';
import type { Figure } from '../support/report.ts';
import { killRuntime, spawnRuntime, stopRuntime, waitReady, type RuntimeProcess } from '../support/runtime-process.ts';
import { cpuSeconds, cpuSecondsByName } from '../support/cpu.ts';
import { seedIdleSessions, sessionCount } from '../support/seed.ts';
import { sampleWaitEvents } from '../support/wait-events.ts';
import { setTimeout as delay } from 'node:timers/promises';

const TARGET_MS = 2_000;
const REPLICA = 'bench-recovery';

interface TurnCounts {
  readonly interrupted: number;
  readonly running: number;
}

async function countTurns(db: pg.Pool, sessions: readonly string[], oldTurn: number, newTurn: number): Promise<TurnCounts> {
  const { rows } = await db.query<TurnCounts>(
    `SELECT count(*) FILTER (WHERE turn = $2 AND state = 'interrupted')::int AS interrupted,
            count(*) FILTER (WHERE turn = $3 AND state = 'running' AND dispatched)::int AS running
     FROM turns WHERE session_id = ANY($1::uuid[])`,
    [sessions, oldTurn, newTurn],
  );
  return rows[0]!;
}

/** The turns numbered `turn` of these sessions, counted by state, dispatch and error code. */
async function turnStates(db: pg.Pool, sessions: readonly string[], turn: number): Promise<string> {
  const { rows } = await db.query<{ state: string; dispatched: boolean; error_code: string | null; n: number }>(
    'SELECT state, dispatched, error_code, count(*)::int AS n FROM turns WHERE session_id = ANY($1::uuid[]) AND turn = $2 GROUP BY 1, 2, 3 ORDER BY 4 DESC',
    [sessions, turn],
  );
  return rows.map((r) => `${r.n} ${r.state}${r.dispatched ? ' dispatched' : ''}${r.error_code ? ` (${r.error_code})` : ''}`).join(', ');
}

async function waitFor(what: string | (() => Promise<string>), timeoutMs: number, check: () => Promise<boolean>, pollMs = 25): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now();
    if (performance.now() - started > timeoutMs) throw new Error(`recovery: ${typeof what === 'string' ? what : await what()} did not happen within ${timeoutMs} ms`);
    await delay(pollMs);
  }
}

export const recoveryBenchmark: RuntimeBenchmark = {
  name: 'recovery',
  async run(ctx) {
    const inFlight = ctx.quick ? 100 : 1_000;
    const totals = ctx.quick ? [2_000, 5_000] : [10_000, 50_000];
    const { url, db } = await ctx.freshDatabase();
    const farm = await ctx.startFarm();
    const start = () => spawnRuntime({ cwd: ROOT, entry: ctx.runtimeEntry, databaseUrl: url, farmUrl: farm.url, replica: REPLICA, maxConcurrentTurns: inFlight + 64 });
    let runtime: RuntimeProcess = await start();
    const figures: Figure[] = [];
    try {
      await waitReady(runtime);
      ctx.progress(`recovery: ${inFlight} sessions, each with a streaming turn on its own sandbox ...`);
      const first = runtime;
      const sessions = await concurrently(Array.from({ length: inFlight }), 32, () => createSession(first.url));
      await concurrently(sessions, 32, (id) => sendMessage(first.url, id, '/hang turn in flight'));
      let turn = 1;
      await waitFor(`${inFlight} turns running`, 120_000, async () => (await countTurns(db, sessions, 0, turn)).running === inFlight, 200);
      // a warm-up round first (the same crash, unmeasured): the sandbox farm and the bench
      // client stand in for 1,000 pods and users that would not be cold; the runtime process is
      // new, and cold, in every round
      for (const total of [undefined, ...totals]) {
        if (total === undefined) {
          ctx.progress(`recovery: warm-up round (SIGKILL and recovery with ${inFlight} sessions, not measured) ...`);
        } else {
          const seeded = total - (await sessionCount(db));
          ctx.progress(`recovery: seeding ${seeded} idle sessions (${total} in all) ...`);
          await seedIdleSessions(db, seeded);
        }
        // statistics and a checkpoint of a database that has been running, not of a fresh bulk load
        await db.query('VACUUM ANALYZE');
        await db.query('CHECKPOINT');
        ctx.progress(`recovery: SIGKILL with ${inFlight} turns in flight among ${total ?? inFlight} sessions; restart ...`);
        await killRuntime(runtime);
        runtime = await start();
        const spawnedAt = runtime.spawnedAt;
        const waits = sampleWaitEvents(db);
        const cpuBefore = { postgres: cpuSecondsByName('postgres'), farm: cpuSeconds(farm.pid), bench: process.cpuUsage() };
        const readyMs = await waitReady(runtime, 5);
        const oldTurn = turn;
        const newTurn = ++turn;
        const current = runtime;
        let rejected = 0;
        const accepted = concurrently(sessions, 64, (id) =>
          sendMessage(current.url, id, '/hang the retry').then(
            () => undefined,
            () => void rejected++,
          ),
        );
        let allInterruptedAt: number | undefined;
        const timeline: string[] = [];
        const recoveredAt = await waitFor(async () => `recovery (interrupted/running: ${timeline.at(-1)}; the new turns: ${await turnStates(db, sessions, newTurn)})`, 60_000, async () => {
          const counts = await countTurns(db, sessions, oldTurn, newTurn);
          if (counts.interrupted === inFlight) allInterruptedAt ??= performance.now();
          timeline.push(`${((performance.now() - spawnedAt) / 1000).toFixed(2)}s ${counts.interrupted}/${counts.running}`);
          return counts.interrupted === inFlight && counts.running === inFlight;
        });
        ctx.progress(`recovery: ready at ${(readyMs / 1000).toFixed(2)} s; interrupted/running after spawn: ${timeline.filter((_, i) => i % 4 === 0 || i === timeline.length - 1).join(', ')}`);
        const waited = await waits.stop();
        const cpu = {
          runtime: cpuSeconds(runtime.pid),
          postgres: cpuSecondsByName('postgres') - cpuBefore.postgres,
          farm: cpuSeconds(farm.pid) - cpuBefore.farm,
          bench: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpuBefore.bench)),
        };
        await accepted;
        if (rejected > 0) throw new Error(`recovery: ${rejected} of ${inFlight} new messages were not accepted`);
        const recoveryMs = recoveredAt - spawnedAt;
        if (total === undefined) {
          // printed, without a verdict: what the same crash costs when the farm and client are cold too
          figures.push({ name: `warm-up: ${inFlight} sessions, all cold`, value: `${(recoveryMs / 1000).toFixed(2)} s (ready ${(readyMs / 1000).toFixed(2)} s)`, note: 'the same crash before anything ran: the sandbox farm and the bench client cold as well (context, no verdict)' });
          continue;
        }
        figures.push({
          name: `${total} sessions`,
          value: `${(recoveryMs / 1000).toFixed(2)} s (ready ${(readyMs / 1000).toFixed(2)} s, all ${inFlight} interrupted turns reported ${(((allInterruptedAt ?? recoveredAt) - spawnedAt) / 1000).toFixed(2)} s, all retries running ${(recoveryMs / 1000).toFixed(2)} s)`,
          target: `< ${TARGET_MS / 1000} s`,
          pass: recoveryMs < TARGET_MS,
          note: `Postgres backends: ${waited}; CPU seconds in that time: runtime ${cpu.runtime.toFixed(1)}, Postgres ${cpu.postgres.toFixed(1)}, sandbox farm ${cpu.farm.toFixed(1)}, bench client ${cpu.bench.toFixed(1)} (of ${((availableParallelism() * recoveryMs) / 1000).toFixed(1)} on ${availableParallelism()} cores)`,
        });
      }
      return {
        title: 'recovery',
        method: [
          `SIGKILL of a replica with ${inFlight} turns streaming (sandboxes alive); from the new process's spawn until every interrupted turn is reported and a new message on each session (sent once /readyz answers) is running on its sandbox`,
          'after one unmeasured warm-up round of the same crash, so the sandbox farm and the bench client (standing in for pods and users) are not measured cold; each round\'s runtime is a new, cold process',
        ],
        figures,
      };
    } finally {
      await stopRuntime(runtime);
    }
  },
};
