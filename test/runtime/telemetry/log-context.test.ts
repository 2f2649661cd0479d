/** Log lines carry the request id (a logger made `with` it) and, inside a recorded span, its trace id. */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../runtime/log.ts';

describe('log context', () => {
  it('adds the fields of `with` to every line, its children included, without changing the parent', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    const request = log.with({ requestId: 'r-1' });
    request.info('a', { session: 's' });
    request.child('db').warn('b');
    log.info('c');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ level: 'info', msg: 'a', requestId: 'r-1', session: 's' });
    expect(parsed[1]).toMatchObject({ level: 'warn', component: 'db', msg: 'b', requestId: 'r-1' });
    expect(parsed[2]).not.toHaveProperty('requestId');
    const text: string[] = [];
    createLogger({ format: 'text', write: (l) => text.push(l) }).with({ requestId: 'r-2' }).info('hello');
    expect(text).toEqual(['hello requestId=r-2']);
  });

  it('carries the trace and span id of a recorded span, and none without one', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    // a provider not registered globally, and a context manager for this test only
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    try {
      const span = new BasicTracerProvider().getTracer('test').startSpan('work');
      log.info('outside');
      context.with(trace.setSpan(context.active(), span), () => log.info('inside'));
      // a span that is not being recorded (tracing off, or sampled out) adds nothing
      context.with(trace.setSpan(context.active(), trace.wrapSpanContext(span.spanContext())), () => log.info('not recorded'));
      span.end();
      const [outside, inside, notRecorded] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(outside).not.toHaveProperty('traceId');
      expect(inside).toMatchObject({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
      expect(inside?.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(notRecorded).not.toHaveProperty('traceId');
    } finally {
      context.disable();
    }
  });
});
