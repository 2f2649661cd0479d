/**
 * Tracing of the runtime process: the shared OTEL_* bootstrap (harnesses/protocol/tracing.ts)
 * plus the node-postgres instrumentation, so that every statement of a traced request or turn
 * is a child span.
 *
 * The pg instrumentation normally patches `pg` when it is `require`d (require-in-the-middle).
 * That never happens here: under `node --import tsx` the runtime imports `pg` from ESM (not
 * through `require`, and before tracing starts), and in the image `pg` is bundled into
 * main.mjs (no module to require at all). So the instrumentation's own `pg` patch is applied
 * to the module object the runtime imported: it wraps Client.prototype.query, which every pool
 * connection shares. test/runtime/telemetry.test.ts fails without it (no pg spans).
 */
import pg from 'pg';
import { startTracing, type Tracing } from '../../harnesses/protocol/tracing.ts';

export const RUNTIME_SERVICE_NAME = 'paddock-runtime';

export async function startRuntimeTracing(env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  return startTracing({
    serviceName: RUNTIME_SERVICE_NAME,
    env,
    instrument: async (tracerProvider) => {
      const [{ registerInstrumentations }, { PgInstrumentation }] = await Promise.all([import('@opentelemetry/instrumentation'), import('@opentelemetry/instrumentation-pg')]);
      // statements outside a request or turn (lease renewals, polls) make no traces of their own
      const instrumentation = new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false });
      registerInstrumentations({ instrumentations: [instrumentation], tracerProvider });
      const definition = instrumentation.getModuleDefinitions().find((d) => d.name === 'pg');
      if (!definition?.patch) throw new Error('the pg instrumentation has no patch for "pg" (its API changed): pin the version that has');
      definition.patch(pg);
    },
  });
}
