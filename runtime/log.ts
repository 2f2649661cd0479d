/**
 * Logging: one JSON object per line on stderr (for log collectors), or readable lines in dev
 * mode. Never log tokens, inputs or model output: ids, codes and counts only.
 *
 * A line logged while a span is being recorded carries its `traceId` and `spanId` (tracing on,
 * ADR 0026); an API request's lines carry its `requestId` (a logger made with `with`).
 */
import { trace } from '@opentelemetry/api';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(component: string): Logger;
  /** a logger whose every line also carries these fields (e.g. the request id) */
  with(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly format?: 'json' | 'text';
  readonly level?: LogLevel;
  readonly write?: (line: string) => void;
  readonly component?: string;
  /** fields on every line */
  readonly fields?: LogFields;
}

/** The recorded span active here, if any: with tracing off this is the API's no-op lookup. */
function traceFields(): LogFields | undefined {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? 'json';
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (ORDER[level] < min) return;
    if (format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level, ...(options.component ? { component: options.component } : {}), msg: message, ...options.fields, ...traceFields(), ...fields }));
    } else {
      const extra = Object.entries({ ...options.fields, ...fields }).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      write(`${level === 'info' ? '' : `${level.toUpperCase()} `}${options.component ? `[${options.component}] ` : ''}${message}${extra ? ` ${extra}` : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (component) => createLogger({ ...options, component: options.component ? `${options.component}.${component}` : component }),
    with: (fields) => createLogger({ ...options, fields: { ...options.fields, ...fields } }),
  };
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  with: () => silentLogger,
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
