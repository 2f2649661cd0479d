/**
 * Bundled by test/runtime/telemetry-bundle.test.ts the way runtime/Dockerfile bundles the
 * runtime (one ES module, pg inside it, no node_modules next to it), then run: starts tracing
 * from OTEL_*, runs one statement on the runtime's pool inside a span, exports and exits.
 */
import { createPool } from '../../../runtime/db/pool.ts';
import { inSpan } from '../../../runtime/telemetry/spans.ts';
import { startRuntimeTracing } from '../../../runtime/telemetry/tracing.ts';

const tracing = await startRuntimeTracing();
const pool = createPool({ connectionString: process.env.DATABASE_URL! });
await inSpan('bundle.check', {}, () => pool.query('SELECT 1 AS one'));
await pool.end();
await tracing.shutdown();
process.stdout.write(`${tracing.description}\n`);
