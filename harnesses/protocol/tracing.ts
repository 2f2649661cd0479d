/**
 * OpenTelemetry tracing for a Paddock process (the runtime and every harness adapter),
 * configured only by the standard OTEL_* variables, exported over OTLP/HTTP.
 *
 * Off unless an endpoint is set (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT),
 * and off when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. Off means the SDK is never
 * imported: the code that makes spans talks to @opentelemetry/api, whose tracer without a
 * registered provider is a no-op (ADR 0026).
 *
 * Honoured by the SDK and exporter themselves: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_TRACES_SAMPLER(_ARG), OTEL_EXPORTER_OTLP(_TRACES)_HEADERS/_TIMEOUT/_COMPRESSION,
 * OTEL_BSP_*. Chosen here: OTEL_EXPORTER_OTLP(_TRACES)_PROTOCOL, http/protobuf (the
 * specification's default) or http/json; grpc is refused with a message.
 */
import type { TracerProvider } from '@opentelemetry/api';

export type OtlpHttpProtocol = 'http/protobuf' | 'http/json';

export type TracingSettings =
  | { readonly on: false; readonly why: string }
  /** `url`: where spans are posted (OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces appended, the TRACES_ one is used as is) */
  | { readonly on: true; readonly url: string; readonly protocol: OtlpHttpProtocol };

export class TracingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TracingConfigError';
  }
}

const nonEmpty = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** What the OTEL_* variables ask for; throws TracingConfigError naming a variable it cannot honour. */
export function tracingSettings(env: NodeJS.ProcessEnv): TracingSettings {
  if (nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true') return { on: false, why: 'OTEL_SDK_DISABLED=true' };
  const exporters = (nonEmpty(env.OTEL_TRACES_EXPORTER) ?? 'otlp').split(',').map((e) => e.trim().toLowerCase());
  if (exporters.includes('none')) return { on: false, why: 'OTEL_TRACES_EXPORTER=none' };
  const unsupported = exporters.filter((e) => e !== 'otlp');
  if (unsupported.length > 0) throw new TracingConfigError(`OTEL_TRACES_EXPORTER=${env.OTEL_TRACES_EXPORTER}: Paddock exports traces over OTLP only ("otlp" or "none"), not ${unsupported.join(', ')}`);
  const endpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (!endpoint) return { on: false, why: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' };
  const endpointVariable = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TracingConfigError(`${endpointVariable}=${JSON.stringify(endpoint)} is not a URL (e.g. http://otel-collector.monitoring:4318)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TracingConfigError(`${endpointVariable}=${JSON.stringify(endpoint)}: OTLP/HTTP needs an http:// or https:// URL`);
  const protocolVariable = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') throw new TracingConfigError(`${protocolVariable}=${protocol}: Paddock exports over OTLP/HTTP, "http/protobuf" (default) or "http/json"${protocol === 'grpc' ? '; point it at the collector\'s HTTP port (4318)' : ''}`);
  return { on: true, url: endpointVariable === 'OTEL_EXPORTER_OTLP_ENDPOINT' ? `${endpoint.replace(/\/+$/, '')}/v1/traces` : endpoint, protocol };
}

export interface Tracing {
  readonly enabled: boolean;
  /** why tracing is off, or the endpoint and protocol it exports to */
  readonly description: string;
  /** exports the spans still buffered and stops (call once, at shutdown) */
  shutdown(): Promise<void>;
}

export interface StartTracingOptions {
  /** service.name unless OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES) says otherwise */
  readonly serviceName: string;
  readonly serviceVersion?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * called only when tracing is on, with the registered provider: the runtime registers its pg
   * instrumentation here (harness bundles then carry no instrumentation package)
   */
  readonly instrument?: (provider: TracerProvider) => Promise<void>;
}

const off = (why: string): Tracing => ({ enabled: false, description: `tracing off (${why})`, shutdown: async () => undefined });

/**
 * Starts tracing as the environment asks: registers a global tracer provider with a batch
 * processor and an OTLP/HTTP exporter, the AsyncLocalStorage context manager and the W3C
 * trace-context propagator. Call before the code whose spans it should see starts work.
 */
export async function startTracing(options: StartTracingOptions): Promise<Tracing> {
  const env = options.env ?? process.env;
  const settings = tracingSettings(env);
  if (!settings.on) return off(settings.why);
  const [{ NodeTracerProvider, BatchSpanProcessor }, { resourceFromAttributes, detectResources, envDetector }, exporterModule] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    settings.protocol === 'http/json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);
  // the environment's attributes (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) win over ours
  const resource = resourceFromAttributes({ 'service.name': options.serviceName, ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}) }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new exporterModule.OTLPTraceExporter({ url: settings.url }))] });
  provider.register();
  await options.instrument?.(provider);
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    description: `tracing on: OTLP ${settings.protocol} to ${settings.url}`,
    shutdown: () => (stopped ??= provider.shutdown().catch(() => undefined)),
  };
}
