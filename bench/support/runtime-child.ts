/**
 * The runtime as the bench runs it: startRuntime in a child process of its own, its sandboxes
 * from the bench's farm. Environment: DATABASE_URL, PORT, BENCH_FARM_URL, BENCH_REPLICA (the
 * replica name: a restarted process with the same name recovers its predecessor's turns at
 * once, like a pod's next container), PADDOCK_WARM_SESSION_SECONDS and
 * PADDOCK_MAX_CONCURRENT_TURNS as in production (runtime/main.ts).
 * SIGUSR2 runs two full collections (the bench reads the RSS after it). OTEL_* turn tracing on
 * as in production (runtime/main.ts; off without an endpoint).
 */
import { startRuntime } from '../../runtime/runtime.ts';
import { createLogger } from '../../runtime/log.ts';
import { startRuntimeTracing } from '../../runtime/telemetry/tracing.ts';
import { hashToken } from '../../runtime/auth.ts';
import { BENCH_CONFIG, BENCH_TOKEN } from './bench-config.ts';
import { FarmDriver } from './sandbox-farm.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`runtime-child: environment variable ${name} is required`);
  return value;
};

const tracing = await startRuntimeTracing();
const runtime = await startRuntime({
  config: BENCH_CONFIG,
  databaseUrl: env('DATABASE_URL'),
  driver: new FarmDriver(env('BENCH_FARM_URL')),
  tokenHashes: { admin: [], teams: new Map([['bench', [hashToken(BENCH_TOKEN)]]]) },
  port: Number(env('PORT')),
  host: '127.0.0.1',
  replicaName: process.env.BENCH_REPLICA ?? 'bench',
  warmSessionMs: Number(process.env.PADDOCK_WARM_SESSION_SECONDS ?? 30) * 1000,
  maxConcurrentTurns: Number(process.env.PADDOCK_MAX_CONCURRENT_TURNS ?? 64),
  log: createLogger({ level: 'error' }),
});
await runtime.ready;
process.once('SIGTERM', () => void runtime.close({ drainMs: 1_000 }).then(() => tracing.shutdown()).then(() => process.exit(0)));
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
});
