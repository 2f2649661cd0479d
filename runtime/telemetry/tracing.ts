/**
 * Tracing of the runtime process: the shared OTEL_* bootstrap (harnesses/protocol/tracing.ts)
 * plus the node-postgres instrumentation, so that every statement of a traced request or turn
 * is a child span.
 *
 * The pg instrumentation hooks CommonJS `require` (require-in-the-middle). The runtime imports
 * `pg` from ESM, which loads it without going through that hook, possibly before tracing
 * starts. So, once the instrumentation is registered, `pg` is required once through
 * createRequire: the hook sees the exports (the same object the ESM import got, from the
 * CommonJS cache) and patches Client.prototype.query, which every pool connection shares.
 * test/runtime/telemetry.test.ts fails without that require (no pg spans).
 */
import { createRequire } from 'node:module';
import { startTracing, type Tracing } from '../../harnesses/protocol/tracing.ts';

export const RUNTIME_SERVICE_NAME = 'paddock-runtime';

export async function startRuntimeTracing(env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  return startTracing({
    serviceName: RUNTIME_SERVICE_NAME,
    env,
    instrument: async (tracerProvider) => {
      const [{ registerInstrumentations }, { PgInstrumentation }] = await Promise.all([import('@opentelemetry/instrumentation'), import('@opentelemetry/instrumentation-pg')]);
      // statements outside a request or turn (lease renewals, polls) make no traces of their own
      registerInstrumentations({ instrumentations: [new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false })], tracerProvider });
      createRequire(import.meta.url)('pg');
    },
  });
}
