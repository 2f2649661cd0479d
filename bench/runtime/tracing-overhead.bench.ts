/**
 * What tracing costs a turn (issue 16, ADR 0026): two runtime processes from the same bundle,
 * on the same Postgres and sandbox farm, one with tracing off (no OTEL_* endpoint: no SDK
 * loaded) and one exporting every span over OTLP/HTTP protobuf (the default protocol, the
 * default batch processor) to a local sink standing in for a collector. Each sample is a pair:
 * the same warm turn (POST message -> `done` on SSE) through each runtime, order alternating;
 * the figure is the difference. The CPU time each process spent per measured turn says the
 * same thing without the noise of a busy machine's scheduling.
 *
 * The farm's harnesses run without tracing: the figure is the runtime's side (its spans, the
 * pg spans, the export, the traceparent header), not a harness's.
 */
import { ROOT, type RuntimeBenchmark } from '../support/bench-context.ts';
import { cpuSeconds } from '../support/cpu.ts';
import { api, createSession, sendMessage, subscribe } from '../support/http.ts';
import { startOtlpSink } from '../support/otlp-sink.ts';
import type { Figure } from '../support/report.ts';
import { spawnRuntime, stopRuntime, waitReady, type RuntimeProcess } from '../support/runtime-process.ts';
import { ms, percentile } from '../support/stats.ts';

interface Sizes {
  readonly samples: number;
  readonly turnsPerSession: number;
  readonly warmUpPairs: number;
}

const sizes = (quick: boolean): Sizes => (quick ? { samples: 200, turnsPerSession: 50, warmUpPairs: 100 } : { samples: 2_000, turnsPerSession: 100, warmUpPairs: 500 });

/** A session on one runtime whose turns are sent back to back (warm turns). */
class WarmSession {
  private turn = 0;
  private constructor(
    private readonly url: string,
    private readonly sessionId: string,
    private readonly stream: ReturnType<typeof subscribe>,
  ) {}

  static async open(url: string): Promise<WarmSession> {
    const sessionId = await createSession(url);
    const stream = subscribe(url, sessionId);
    await stream.opened;
    return new WarmSession(url, sessionId, stream);
  }

  get turns(): number {
    return this.turn;
  }

  /** ms from sending the message to its `done` */
  async send(): Promise<number> {
    const turn = ++this.turn;
    const started = performance.now();
    const done = this.stream.next('done', (e) => e.turn === turn);
    await sendMessage(this.url, this.sessionId, `sample ${turn}`);
    await done;
    return performance.now() - started;
  }

  async close(): Promise<void> {
    this.stream.close();
    await api(this.url, 'DELETE', `/v1/sessions/${this.sessionId}`);
  }
}

/** `count` pairs of warm turns, one on each runtime, order alternating; returns on − off per pair. */
async function pairs(off: RuntimeProcess, on: RuntimeProcess, count: number, turnsPerSession: number): Promise<number[]> {
  const differences: number[] = [];
  let sessions: [WarmSession, WarmSession] | undefined;
  for (let i = 0; i < count; i++) {
    if (!sessions || sessions[0].turns >= turnsPerSession) {
      if (sessions) await Promise.all(sessions.map((s) => s.close()));
      sessions = [await WarmSession.open(off.url), await WarmSession.open(on.url)];
      // a session's first turn claims a sandbox: not a warm turn
      await sessions[0].send();
      await sessions[1].send();
    }
    const [untraced, traced] = sessions;
    if (i % 2 === 0) {
      const a = await untraced.send();
      differences.push((await traced.send()) - a);
    } else {
      const b = await traced.send();
      differences.push(b - (await untraced.send()));
    }
  }
  if (sessions) await Promise.all(sessions.map((s) => s.close()));
  return differences;
}

export const tracingOverheadBenchmark: RuntimeBenchmark = {
  name: 'tracing',
  async run(ctx) {
    const size = sizes(ctx.quick);
    const farm = await ctx.startFarm();
    const sink = await startOtlpSink();
    ctx.defer(() => sink.close());
    const [offDb, onDb] = [await ctx.freshDatabase(), await ctx.freshDatabase()];
    const off = await spawnRuntime({ cwd: ROOT, entry: ctx.runtimeEntry, databaseUrl: offDb.url, farmUrl: farm.url, replica: 'bench-untraced' });
    const on = await spawnRuntime({ cwd: ROOT, entry: ctx.runtimeEntry, databaseUrl: onDb.url, farmUrl: farm.url, replica: 'bench-traced', env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_SERVICE_NAME: 'paddock-bench' } });
    try {
      await Promise.all([waitReady(off), waitReady(on)]);
      ctx.progress(`tracing overhead: ${size.warmUpPairs} warm-up pairs ...`);
      await pairs(off, on, size.warmUpPairs, size.turnsPerSession);
      await Promise.all([offDb.db.query('ANALYZE'), onDb.db.query('ANALYZE')]);
      ctx.progress(`tracing overhead: ${size.samples} paired samples ...`);
      const cpuBefore = [cpuSeconds(off.pid), cpuSeconds(on.pid)] as const;
      const exportedBefore = { ...sink.received };
      const differences = await pairs(off, on, size.samples, size.turnsPerSession);
      const cpuMsPerTurn = [cpuSeconds(off.pid) - cpuBefore[0], cpuSeconds(on.pid) - cpuBefore[1]].map((s) => (s * 1000) / size.samples);
      // the last batch goes out at the traced runtime's shutdown (its SIGTERM flushes)
      await Promise.all([stopRuntime(off), stopRuntime(on)]);
      const requests = sink.received.requests - exportedBefore.requests;
      const kib = (sink.received.bytes - exportedBefore.bytes) / 1024;
      const figures: Figure[] = [
        { name: 'traced - untraced p50', value: ms(percentile(differences, 50)) },
        { name: 'traced - untraced p99', value: `${ms(percentile(differences, 99))} (${differences.length} paired warm turns)` },
        { name: 'runtime CPU per turn, tracing off', value: `${cpuMsPerTurn[0]!.toFixed(2)} ms` },
        { name: 'runtime CPU per turn, tracing on', value: `${cpuMsPerTurn[1]!.toFixed(2)} ms (+${(cpuMsPerTurn[1]! - cpuMsPerTurn[0]!).toFixed(2)} ms)` },
        { name: 'exported', value: `${requests} OTLP requests, ${(kib / size.samples).toFixed(1)} KiB per turn (protobuf)` },
      ];
      return {
        title: 'tracing',
        method: [
          `two runtime processes from the same bundle, same Postgres and farm: tracing off (no endpoint: no SDK loaded) and on (OTLP/HTTP protobuf, default batch processor, to a local sink that answers 200)`,
          `${size.warmUpPairs} warm-up pairs, ANALYZE, then ${size.samples} pairs: the same warm turn through each (POST message -> done on SSE), order alternating; figures are traced minus untraced`,
          `CPU per turn: user+system time of each runtime process over the measured pairs / turns (includes its share of SSE, keep-alives and polls)`,
        ],
        figures,
      };
    } finally {
      await Promise.all([stopRuntime(off), stopRuntime(on)]);
    }
  },
};
