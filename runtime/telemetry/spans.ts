/**
 * The runtime's spans, through @opentelemetry/api only: with tracing off no provider is
 * registered and every call here is the API's no-op (no SDK loaded, nothing recorded).
 * Attribute names follow the OpenTelemetry semantic conventions where one exists (http.*,
 * url.*, error.type) and are `paddock.*` otherwise. No span carries a message, a token or
 * model output: ids, codes and counts only.
 */
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

export const tracer = trace.getTracer('paddock-runtime');

/** Runs `fn` in a child span of the active one; the span ends when `fn` settles, failed if it throws. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Records an error on a span (its message, never a stack with user data). */
export function failSpan(span: Span, error: unknown, type?: string): void {
  if (!span.isRecording()) return;
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttribute('error.type', type ?? (error instanceof Error ? error.name : 'error'));
}

export { extractContext, traceHeaders } from '../../harnesses/protocol/trace-context.ts';
export { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace };
export type { Attributes, Span };
