/**
 * W3C trace context across protocol v1 (docs/harness-protocol-v1.md): the runtime sends the
 * `traceparent` (and `tracestate`) of its harness.turn span with POST /v1/turns; the harness
 * continues that trace. Through @opentelemetry/api only: with tracing off both are no-ops.
 */
import { context, propagation, type Context } from '@opentelemetry/api';

/** W3C trace-context headers of the active span, for an outgoing request (empty with tracing off). */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}

/** The context an incoming request carries (its traceparent/tracestate headers). */
export function extractContext(headers: Readonly<Record<string, string | string[] | undefined>>): Context {
  return propagation.extract(context.active(), headers);
}
