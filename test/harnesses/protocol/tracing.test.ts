/**
 * Tracing of a harness process (harnesses/protocol/tracing.ts): what the OTEL_* variables turn
 * on, the errors for what they cannot, and a real scripted harness exporting over OTLP/HTTP
 * protobuf (the default protocol) the span of a turn that continues the caller's traceparent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracingConfigError, tracingSettings } from '../../../harnesses/protocol/tracing.ts';
import { harnessDir } from '../../../harnesses/registry.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.ts';

describe('tracingSettings', () => {
  it('is off without an endpoint, and when disabled or exporter none', () => {
    expect(tracingSettings({})).toEqual({ on: false, why: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toEqual({ on: false, why: 'OTEL_SDK_DISABLED=true' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toEqual({ on: false, why: 'OTEL_TRACES_EXPORTER=none' });
  });

  it('posts to <endpoint>/v1/traces, or to the traces endpoint as given, over protobuf unless told json', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({ on: true, url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/custom', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({ on: true, url: 'https://b/custom', protocol: 'http/json' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toMatchObject({ protocol: 'http/protobuf' });
  });

  it('refuses what it cannot honour, naming the variable', () => {
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc: .*HTTP port \(4318\)/);
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' })).toThrow(TracingConfigError);
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="not a url" is not a URL/);
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER=zipkin: .*OTLP only/);
  });
});

describe('a harness process with tracing on', () => {
  let receiver: OtlpReceiver;
  let child: ChildProcess;
  let base: string;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: harnessDir('scripted'),
      env: { PATH: process.env.PATH, PADDOCK_HARNESS_PORT: '0', PADDOCK_HARNESS_HOST: '127.0.0.1', PADDOCK_SANDBOX_TOKEN: 't'.repeat(48), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '60000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    base = `http://127.0.0.1:${(JSON.parse(line.toString()) as { listening: { port: number } }).listening.port}`;
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await receiver.close();
  });

  it('continues the traceparent of POST /v1/turns and exports its span over protobuf when stopped', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parent = randomBytes(8).toString('hex');
    const res = await fetch(`${base}/v1/turns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${'t'.repeat(48)}`, 'content-type': 'application/json', traceparent: `00-${traceId}-${parent}-01` },
      body: JSON.stringify({ sessionId: 'sess-trace', turn: 3, input: 'hi', history: [] }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('event: done');
    // the batch delay is a minute: only the shutdown flush can deliver the span now
    child.kill('SIGTERM');
    await once(child, 'exit');
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === traceId), 5_000);
    const span = receiver.spans.find((s) => s.traceId === traceId)!;
    expect(span).toMatchObject({ service: 'paddock-harness-scripted', name: 'harness.turn', kind: 2, parentSpanId: parent });
    expect(span.attributes).toMatchObject({ 'paddock.session.id': 'sess-trace', 'paddock.turn': 3, 'paddock.turn.stop_reason': 'end_turn' });
    expect(receiver.contentTypes.every((t) => t === 'application/x-protobuf')).toBe(true);
  });
});
