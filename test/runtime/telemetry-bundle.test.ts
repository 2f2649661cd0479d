/**
 * The runtime image runs an esbuild bundle (runtime/Dockerfile), where `pg` is inlined and no
 * require hook can see it: its statements are still traced (runtime/telemetry/tracing.ts patches
 * the pg module object itself). Bundled the same way, run from a directory with no node_modules.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleForNode } from '../../bench/support/bundle-runtime.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { startTestPostgres, type TestPostgres } from './support/postgres.ts';

let server: TestPostgres;
let receiver: OtlpReceiver;
const dir = mkdtempSync(join(tmpdir(), 'paddock-traced-bundle-'));
beforeAll(async () => {
  [server, receiver] = await Promise.all([startTestPostgres(), startOtlpReceiver()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), receiver?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

it('traces the statements of a bundled runtime (pg inlined, no node_modules)', async () => {
  const outfile = join(dir, 'main.mjs');
  await bundleForNode(join(import.meta.dirname, 'support', 'traced-query-child.ts'), outfile);
  const child = spawn(process.execPath, [outfile], { cwd: dir, env: { PATH: process.env.PATH, DATABASE_URL: await server.createDatabase(), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code, output).toBe(0);
  expect(output).toContain('tracing on: OTLP http/json');
  const parent = receiver.spans.find((s) => s.name === 'bundle.check');
  expect(parent, 'the span around the statement').toBeDefined();
  const statements = receiver.spans.filter((s) => s.traceId === parent!.traceId && s.parentSpanId === parent!.spanId && s.name.startsWith('pg.query'));
  expect(statements.length, `pg spans under bundle.check; received ${receiver.spans.map((s) => s.name).join(', ')}`).toBe(1);
  expect(statements[0]!.attributes['db.statement'] ?? statements[0]!.attributes['db.query.text']).toBe('SELECT 1 AS one');
}, 60_000);
