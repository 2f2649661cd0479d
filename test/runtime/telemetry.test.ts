/**
 * Traces, metrics and logs of the real runtime process (runtime/main.ts under `node --import
 * tsx`, as the container runs it) and its real scripted harness processes (local driver):
 * one turn arrives at a real OTLP/HTTP receiver as one trace whose spans link API request ->
 * enqueue -> turn -> sandbox / dispatch / harness stream -> the harness process's own span,
 * with the database statements (pg instrumentation under ESM) inside; /metrics is read by a
 * Prometheus text parser; log lines carry the request id and the trace id. With no endpoint
 * set, no SDK module is loaded at all.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleOf } from '../support/prometheus-text.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { startTestPostgres, type TestPostgres } from './support/postgres.ts';
import { Api, runtimeProcessFiles, spawnRuntime, TOKENS, type RuntimeProcess, type RuntimeProcessFiles } from './support/runtime.ts';

const RECORDER = join(import.meta.dirname, 'support', 'record-imports.mjs');
const SDK_MODULE = /\/node_modules\/@opentelemetry\/(sdk-trace-node|sdk-trace-base|exporter-trace-otlp-(http|proto)|instrumentation-pg)\//;

let server: TestPostgres;
let receiver: OtlpReceiver;
const started: RuntimeProcess[] = [];
const dirs: RuntimeProcessFiles[] = [];

beforeAll(async () => {
  [server, receiver] = await Promise.all([startTestPostgres(), startOtlpReceiver()]);
});
afterAll(async () => {
  for (const runtime of started) {
    if (runtime.child.exitCode === null) {
      runtime.child.kill('SIGTERM');
      await runtime.exited;
    }
  }
  await Promise.all([server?.stop(), receiver?.close()]);
  for (const files of dirs) rmSync(files.dir, { recursive: true, force: true });
});

async function startRuntime(extraEnv: Record<string, string>): Promise<{ runtime: RuntimeProcess; imports: () => string[] }> {
  const files = runtimeProcessFiles(await server.createDatabase());
  dirs.push(files);
  const importsFile = join(files.dir, 'imports.txt');
  writeFileSync(importsFile, '');
  const runtime = await spawnRuntime({ ...files.env, PADDOCK_LOG_LEVEL: 'info', NODE_OPTIONS: `--import ${RECORDER}`, RECORD_IMPORTS_FILE: importsFile, ...extraEnv });
  started.push(runtime);
  await runtime.waitReady();
  return { runtime, imports: () => readFileSync(importsFile, 'utf8').split('\n').filter(Boolean) };
}

const otelEnv = (endpoint: string) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_BSP_SCHEDULE_DELAY: '50',
});

function childrenOf(spans: readonly ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
  return spans.filter((s) => s.traceId === parent.traceId && s.parentSpanId === parent.spanId);
}

function only(spans: readonly ReceivedSpan[], what: string): ReceivedSpan {
  expect(spans, what).toHaveLength(1);
  return spans[0]!;
}

describe('tracing on', () => {
  let runtime: RuntimeProcess;
  let imports: () => string[];
  let sessionId: string;
  beforeAll(async () => {
    // the harness processes get the same variables through CONTAINER_ENV_ (local driver)
    const env = otelEnv(receiver.endpoint);
    ({ runtime, imports } = await startRuntime({ ...env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [`CONTAINER_ENV_${k}`, v])), OTEL_SERVICE_NAME: 'paddock-runtime-under-test' }));
    const alpha = new Api(runtime.url, TOKENS.alpha);
    const created = await alpha.request<{ session: { id: string } }>('POST', '/v1/sessions', { harness: 'scripted' }, { 'x-request-id': 'req-create-1' });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe('req-create-1');
    sessionId = created.body.session.id;
    const sent = await alpha.request<{ turn: { number: number } }>('POST', `/v1/sessions/${sessionId}/messages`, { text: '/tool hello traces' }, { 'x-request-id': 'req-message-1' });
    expect(sent.status).toBe(202);
    await alpha.waitForDone(sessionId, 1);
  }, 60_000);

  it('exports one turn as one trace: request, enqueue, turn phases, database statements and the harness process', async () => {
    const requestName = 'POST /v1/sessions/{id}/messages';
    await receiver.waitFor((spans) => spans.some((s) => s.name === requestName) && spans.some((s) => s.service === 'paddock-harness-scripted' && s.name === 'harness.turn') && spans.some((s) => s.name === 'turn.finish'));
    const spans = receiver.spans;
    const request = only(spans.filter((s) => s.name === requestName && s.attributes['paddock.request_id'] === 'req-message-1'), 'the message request span');
    expect(request.service).toBe('paddock-runtime-under-test');
    expect(request.kind).toBe(2);
    expect(request.parentSpanId).toBe('');
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/v1/sessions/{id}/messages', 'http.response.status_code': 202 });

    const trace = spans.filter((s) => s.traceId === request.traceId);
    const enqueue = only(childrenOf(trace, request).filter((s) => s.name === 'turn.enqueue'), 'turn.enqueue under the request');
    expect(childrenOf(trace, enqueue).filter((s) => s.attributes['db.system'] === 'postgresql' || s.attributes['db.system.name'] === 'postgresql').length, 'the enqueue statement as a pg span').toBeGreaterThan(0);

    const turn = only(childrenOf(trace, request).filter((s) => s.name === 'turn'), 'the turn span under the request');
    expect(turn.attributes).toMatchObject({ 'paddock.session.id': sessionId, 'paddock.turn': 1, 'paddock.team': 'alpha', 'paddock.harness': 'scripted', 'paddock.turn.result': 'completed' });
    const phases = childrenOf(trace, turn).map((s) => s.name);
    expect(phases).toEqual(expect.arrayContaining(['turn.sandbox', 'turn.dispatch', 'harness.turn', 'turn.finish']));
    const sandbox = only(childrenOf(trace, turn).filter((s) => s.name === 'turn.sandbox'), 'turn.sandbox');
    expect(childrenOf(trace, sandbox).map((s) => s.name)).toContain('sandbox.acquire');
    const finish = only(childrenOf(trace, turn).filter((s) => s.name === 'turn.finish'), 'turn.finish');
    expect(childrenOf(trace, finish).some((s) => s.name.startsWith('pg.query')), 'the finish statement as a pg span').toBe(true);

    // across the process boundary: the harness's server span is the child of the runtime's client span
    const client = only(childrenOf(trace, turn).filter((s) => s.name === 'harness.turn'), 'the runtime side of the harness stream');
    expect(client.kind).toBe(3);
    const harness = only(childrenOf(trace, client), 'the harness process span under the runtime client span');
    expect(harness).toMatchObject({ service: 'paddock-harness-scripted', name: 'harness.turn', kind: 2 });
    expect(harness.attributes).toMatchObject({ 'paddock.session.id': sessionId, 'paddock.turn': 1, 'paddock.turn.stop_reason': 'end_turn' });
    expect(harness.startNs).toBeGreaterThanOrEqual(client.startNs);
    expect(Number(harness.attributes['paddock.harness.events'])).toBeGreaterThanOrEqual(3); // tool call, result, deltas, done

    // statements outside a request or turn (lease renewals, polls) make no traces of their own
    expect(spans.filter((s) => s.parentSpanId === '' && s.name.startsWith('pg.')).map((s) => s.name)).toEqual([]);
    // nor do probes and scrapes (the test polled /readyz until ready)
    expect(spans.filter((s) => ['/healthz', '/readyz', '/metrics'].includes(String(s.attributes['url.path'])))).toEqual([]);
  });

  it('writes JSON log lines with the request id, and the trace id of the turn', () => {
    const lines = runtime.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const created = lines.find((l) => l.msg === 'session created');
    expect(created).toMatchObject({ requestId: 'req-create-1', session: sessionId, team: 'alpha' });
    expect(created?.traceId).toMatch(/^[0-9a-f]{32}$/);
    const request = receiver.spans.find((s) => s.attributes['paddock.request_id'] === 'req-message-1')!;
    const finished = lines.find((l) => l.msg === 'turn finished' && l.session === sessionId);
    expect(finished).toMatchObject({ state: 'completed', traceId: request.traceId });
    expect(lines.find((l) => l.msg?.toString().startsWith('tracing on'))?.msg).toBe(`tracing on: OTLP http/json to ${receiver.endpoint}/v1/traces`);
  });

  it('serves /metrics with the turn histograms, per-team counters and the process metrics', async () => {
    const res = await fetch(`${runtime.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await res.text());
    const labels = { team: 'alpha', harness: 'scripted' };
    expect(families.get('paddock_turn_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(sampleOf(families.get('paddock_turn_duration_seconds'), { ...labels, outcome: 'completed' })?.count).toBe('1');
    expect(sampleOf(families.get('paddock_turn_first_event_seconds'), labels)?.count).toBe('1');
    expect(sampleOf(families.get('paddock_sandbox_claim_seconds'), { team: 'alpha', driver: 'local' })?.count).toBe('1');
    expect(sampleOf(families.get('paddock_http_request_duration_seconds'), { route: 'sessions.message' })?.count).toBe('1');
    expect(sampleOf(families.get('paddock_turns_total'), { ...labels, outcome: 'completed' })?.value).toBe('1');
    expect(sampleOf(families.get('paddock_tool_calls_total'), labels)?.value).toBe('1');
    expect(sampleOf(families.get('paddock_sessions'), { state: 'active' })?.value).toBe('1');
    expect(Number(sampleOf(families.get('process_cpu_seconds_total'))?.value)).toBeGreaterThan(0);
    expect(Number(sampleOf(families.get('process_open_fds'))?.value)).toBeGreaterThan(0);
    expect(families.get('nodejs_eventloop_lag_p99_seconds')?.type).toBe('GAUGE');
    // no series is labelled with anything unbounded
    for (const family of families.values()) for (const sample of family.metrics) expect(Object.keys(sample.labels ?? {})).not.toContain('session');
    // every paddock_ metric this runtime serves is in docs/runtime.md's metrics table
    const documented = new Set([...readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'runtime.md'), 'utf8').matchAll(/^\| `(paddock_[a-z0-9_]+)` \|/gm)].map((m) => m[1]));
    expect(documented.size).toBeGreaterThan(15);
    expect([...families.keys()].filter((name) => name.startsWith('paddock_') && !documented.has(name))).toEqual([]);
  });

  it('continues the enqueuing request\'s trace in a turn claimed later from the queue', async () => {
    const alpha = new Api(runtime.url, TOKENS.alpha);
    const id = await alpha.createSession();
    // the first turn is still running when the second message arrives: the second is queued
    expect((await alpha.request('POST', `/v1/sessions/${id}/messages`, { text: '/slow 150 first' }, { 'x-request-id': 'req-running' })).status).toBe(202);
    expect((await alpha.request('POST', `/v1/sessions/${id}/messages`, { text: 'second' }, { 'x-request-id': 'req-queued' })).status).toBe(202);
    await alpha.waitForDone(id, 2);
    const isTurn2 = (s: ReceivedSpan) => s.name === 'turn' && s.attributes['paddock.session.id'] === id && s.attributes['paddock.turn'] === 2;
    await receiver.waitFor((spans) => spans.some(isTurn2) && spans.some((s) => s.attributes['paddock.request_id'] === 'req-queued'));
    const request = only(receiver.spans.filter((s) => s.attributes['paddock.request_id'] === 'req-queued'), 'the second message request');
    const enqueue = only(childrenOf(receiver.spans, request).filter((s) => s.name === 'turn.enqueue'), 'its turn.enqueue');
    expect(enqueue.attributes['paddock.turn.fast_dispatch']).toBe(true);
    const turn = only(receiver.spans.filter(isTurn2), 'turn 2');
    // not launched by the request (it was queued), yet in its trace: the enqueue span's child
    expect(turn).toMatchObject({ traceId: request.traceId, parentSpanId: enqueue.spanId });
    expect(turn.startNs).toBeGreaterThan(request.endNs);
    // and nothing of it landed in the first request's trace
    const first = only(receiver.spans.filter((s) => s.attributes['paddock.request_id'] === 'req-running'), 'the first message request');
    expect(receiver.spans.filter((s) => s.traceId === first.traceId && s.name === 'turn').map((s) => s.attributes['paddock.turn'])).toEqual([1]);
  });

  it('loaded the SDK, the exporter and the pg instrumentation', () => {
    expect(imports().filter((url) => SDK_MODULE.test(url)).length).toBeGreaterThan(0);
  });

  it('exports the spans still buffered when it is stopped', async () => {
    const alpha = new Api(runtime.url, TOKENS.alpha);
    const res = await alpha.request('GET', `/v1/sessions/${sessionId}`, undefined, { 'x-request-id': 'req-last-before-stop' });
    expect(res.status).toBe(200);
    runtime.child.kill('SIGTERM');
    expect(await runtime.exited).toBe(0);
    expect(receiver.spans.some((s) => s.attributes['paddock.request_id'] === 'req-last-before-stop')).toBe(true);
  });
});

describe('tracing off', () => {
  it('loads no SDK module without an endpoint, and still answers with request ids', async () => {
    const before = receiver.spans.length;
    const { runtime, imports } = await startRuntime({ OTEL_SERVICE_NAME: 'not-exported' });
    const alpha = new Api(runtime.url, TOKENS.alpha);
    const id = await alpha.createSession();
    await alpha.waitForDone(id, await alpha.send(id, 'untraced'));
    const res = await alpha.request('GET', `/v1/sessions/${id}`);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // a request id that is not a plausible id is replaced, never echoed
    expect((await alpha.request('GET', `/v1/sessions/${id}`, undefined, { 'x-request-id': 'bad id "with" quotes' })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    runtime.child.kill('SIGTERM');
    expect(await runtime.exited).toBe(0);
    const loaded = imports();
    // the recorder works in this process (it saw the API package), and saw no SDK module
    expect(loaded.some((url) => url.includes('/node_modules/@opentelemetry/api/'))).toBe(true);
    expect(loaded.filter((url) => SDK_MODULE.test(url))).toEqual([]);
    expect(runtime.output()).toContain('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)');
    expect(receiver.spans.length).toBe(before);
  }, 60_000);
});
