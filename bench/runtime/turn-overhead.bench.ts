/**
 * The latency the runtime adds to a turn, in three series (ADR 0014, ADR 0020):
 *   warm  — back-to-back turns of a session: the session's sandbox is trusted and its
 *           conversation comes from memory (the two shortcuts of a turn that follows within
 *           PADDOCK_WARM_SESSION_SECONDS);
 *   cold  — the same turns with the shortcuts off (PADDOCK_WARM_SESSION_SECONDS=0), as for a
 *           person who paused: a check of the sandbox over the protocol and the conversation rebuilt
 *           from the turns table before every turn;
 *   first — the first turn of a new session: a sandbox claimed and bound with the dispatch.
 * Each sample is a pair: the turn through the runtime (POST message → `done` on SSE) and the
 * same turn with the same history straight to a sandbox of the same harness process; the
 * figure is the difference. The order inside a pair alternates, so neither side always runs
 * on a CPU the other just warmed (or just left busy).
 */
import type pg from 'pg';
import { HarnessClient } from '../../harnesses/protocol/client.ts';
import type { HistoryMessage } from '../../harnesses/protocol/types.ts';
import { ROOT, type BenchContext, type RuntimeBenchmark } from '../support/bench-context.ts';
import { api, createSession, sendMessage, subscribe } from '../support/http.ts';
import type { Figure } from '../support/report.ts';
import { spawnRuntime, stopRuntime, waitReady } from '../support/runtime-process.ts';
import { ms, percentile } from '../support/stats.ts';

export type OverheadSeries = 'warm' | 'cold' | 'first';

const TARGET_P99_MS: Record<OverheadSeries, number | undefined> = { warm: 10, cold: 20, first: undefined };

interface Sizes {
  readonly samples: number;
  readonly turnsPerSession: number;
  readonly warmUpPairs: number;
}

const sizes = (quick: boolean): Sizes => (quick ? { samples: 200, turnsPerSession: 50, warmUpPairs: 100 } : { samples: 2_000, turnsPerSession: 100, warmUpPairs: 1_000 });

/** One paired sample: the runtime side and the direct side, in the order asked for. */
async function pair(runtimeFirst: boolean, throughRuntime: () => Promise<void>, direct: () => Promise<void>): Promise<number> {
  const time = async (f: () => Promise<void>) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  if (runtimeFirst) {
    const r = await time(throughRuntime);
    return r - (await time(direct));
  }
  const d = await time(direct);
  return (await time(throughRuntime)) - d;
}

async function directTurn(client: HarnessClient, sessionId: string, turn: number, input: string, history: readonly HistoryMessage[]): Promise<string> {
  let reply = '';
  for await (const e of client.turn({ sessionId, turn, input, history: [...history] })) if (e.type === 'text_delta') reply += e.text;
  return reply;
}

/** `count` paired turns in sessions of `turnsPerSession` back-to-back turns. */
async function sessionTurns(url: string, direct: HarnessClient, count: number, turnsPerSession: number, label: string, counter: { n: number }): Promise<number[]> {
  const samples: number[] = [];
  while (samples.length < count) {
    const sessionId = await createSession(url);
    const stream = subscribe(url, sessionId);
    await stream.opened;
    const history: HistoryMessage[] = [];
    const directSession = `direct-${label}-${sessionId}`;
    for (let turn = 1; turn <= turnsPerSession && samples.length < count; turn++) {
      const text = `sample ${turn}`;
      let reply = '';
      const sample = await pair(
        counter.n++ % 2 === 0,
        async () => {
          const done = stream.next('done', (e) => e.turn === turn);
          await sendMessage(url, sessionId, text);
          await done;
        },
        async () => {
          reply = await directTurn(direct, directSession, turn, text, history);
        },
      );
      history.push({ role: 'user', text }, { role: 'assistant', text: reply });
      // the first turn of each session is the `first` series' business
      if (turn > 1) samples.push(sample);
    }
    stream.close();
    await api(url, 'DELETE', `/v1/sessions/${sessionId}`);
  }
  return samples;
}

/** `count` paired first turns, each of a new session (ended afterwards, its sandbox released). */
async function firstTurns(url: string, direct: HarnessClient, count: number, counter: { n: number }): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const text = `first ${i}`;
    // the session exists before the pair: opening it is its own request, not the turn's
    const sessionId = await createSession(url);
    const stream = subscribe(url, sessionId);
    await stream.opened;
    samples.push(
      await pair(
        counter.n++ % 2 === 0,
        async () => {
          const done = stream.next('done', (e) => e.turn === 1);
          await sendMessage(url, sessionId, text);
          await done;
        },
        async () => {
          await directTurn(direct, `direct-first-${sessionId}`, 1, text, []);
        },
      ),
    );
    stream.close();
    await api(url, 'DELETE', `/v1/sessions/${sessionId}`);
  }
  return samples;
}

function seriesFigures(series: OverheadSeries, samples: readonly number[]): Figure[] {
  const target = TARGET_P99_MS[series];
  const p99 = percentile(samples, 99);
  return [
    { name: `${series} p50`, value: ms(percentile(samples, 50)) },
    { name: `${series} p99`, value: ms(p99), ...(target === undefined ? {} : { target: `< ${target} ms`, pass: p99 < target }) },
    { name: `${series} p99.9`, value: `${ms(percentile(samples, 99.9))} (${samples.length} paired samples)` },
  ];
}

/** Runs the series that share a runtime process (warm and first: default knob; cold: knob 0). */
async function runProcess(ctx: BenchContext, url: string, db: pg.Pool, farmUrl: string, direct: HarnessClient, warmSessionSeconds: number, series: readonly OverheadSeries[], out: Map<OverheadSeries, number[]>): Promise<void> {
  const size = sizes(ctx.quick);
  const runtime = await spawnRuntime({ cwd: ROOT, entry: ctx.runtimeEntry, databaseUrl: url, farmUrl, warmSessionSeconds });
  try {
    await waitReady(runtime);
    const counter = { n: 0 };
    ctx.progress(`turn overhead (PADDOCK_WARM_SESSION_SECONDS=${warmSessionSeconds}): ${size.warmUpPairs} warm-up pairs ...`);
    await sessionTurns(runtime.url, direct, size.warmUpPairs, size.turnsPerSession, 'warm-up', counter);
    // the warm-up grew the tables from nothing to thousands of rows faster than autovacuum
    // analyzes them: without this, the measured turns run on plans made for empty tables
    await db.query('ANALYZE');
    for (const s of series) {
      ctx.progress(`turn overhead: ${s} series, ${size.samples} paired samples ...`);
      out.set(s, s === 'first' ? await firstTurns(runtime.url, direct, size.samples, counter) : await sessionTurns(runtime.url, direct, size.samples, size.turnsPerSession, s, counter));
    }
  } finally {
    await stopRuntime(runtime);
  }
}

export function turnOverheadBenchmark(series: readonly OverheadSeries[]): RuntimeBenchmark {
  return {
    name: series.join('+'),
    async run(ctx) {
      const size = sizes(ctx.quick);
      const farm = await ctx.startFarm();
      // the direct side's sandbox lives in the same process as the runtime's sandboxes
      const directBinding = await farm.acquire();
      const direct = new HarnessClient(directBinding.endpoint, directBinding.token);
      const samples = new Map<OverheadSeries, number[]>();
      const warmProcess = series.filter((s) => s !== 'cold');
      if (warmProcess.length > 0) {
        const { url, db } = await ctx.freshDatabase();
        await runProcess(ctx, url, db, farm.url, direct, 30, warmProcess, samples);
      }
      if (series.includes('cold')) {
        const { url, db } = await ctx.freshDatabase();
        await runProcess(ctx, url, db, farm.url, direct, 0, ['cold'], samples);
      }
      return {
        title: 'turn overhead',
        method: [
          `paired samples: the same turn through the runtime (POST message -> done on SSE) and straight to a sandbox in the same harness process; order alternates inside each pair; p50/p99/p99.9 of the differences`,
          `each runtime process first serves ${size.warmUpPairs} warm-up pairs (sessions of ${size.turnsPerSession} turns): V8 compiles the turn path, the pools open their connections, the statements get prepared; a replica serving turns for hours is in that state`,
          `then ANALYZE: the warm-up grew the tables faster than autovacuum analyzes them, and the runtime's generic plans are re-made for tables of their real size (a running system has current statistics)`,
          `warm = back-to-back turns (trusted sandbox, conversation from memory); cold = PADDOCK_WARM_SESSION_SECONDS=0 (the sandbox checked over the protocol, one abort call that finds it idle, + history from SQL every turn); first = a new session's first turn (sandbox claimed from the farm and bound)`,
        ],
        figures: series.flatMap((s) => seriesFigures(s, samples.get(s) ?? [])),
      };
    },
  };
}
