/**
 * Prometheus metrics of one runtime replica, kept and rendered by prom-client (ADR 0026): the
 * default process and Node metrics, counters and histograms of turns, sandboxes, the database
 * and the API, and gauges whose values are passed in at scrape time (render()).
 *
 * Labels are bounded on purpose: team, harness, outcome, driver, code, route. Never a session
 * id or anything a user typed: every label value multiplies the series Prometheus stores.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';

export interface ScrapeGauges {
  /** sessions by state, or undefined when the database could not be asked */
  readonly sessionsByState?: Readonly<Record<string, number>> | undefined;
  readonly turnsRunning: number;
  readonly ready: boolean;
  readonly streams: number;
}

/** The exposition format prom-client renders (Prometheus text 0.0.4). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const TURN_SECONDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const LATENCY_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const SANDBOX_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
const HTTP_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * An error code as a label value: the runtime's and the adapters' codes are short snake_case
 * words; anything else (a harness reporting free text as its code) is counted as "other" so
 * that a misbehaving harness cannot grow the series without bound.
 */
export function codeLabel(code: string): string {
  return /^[a-z][a-z0-9_.]{0,47}$/.test(code) ? code : 'other';
}

export class RuntimeMetrics {
  readonly registry = new Registry();

  readonly turns = new Counter({ name: 'paddock_turns_total', help: 'Turns finished by this replica, by team, harness and outcome.', labelNames: ['team', 'harness', 'outcome'] as const, registers: [this.registry] });
  readonly turnErrors = new Counter({ name: 'paddock_turn_errors_total', help: 'Failed or interrupted turns, by team, harness and error code.', labelNames: ['team', 'harness', 'code'] as const, registers: [this.registry] });
  readonly turnSeconds = new Histogram({ name: 'paddock_turn_duration_seconds', help: 'From this replica\'s claim of a turn to its recorded finish.', labelNames: ['team', 'harness', 'outcome'] as const, buckets: TURN_SECONDS, registers: [this.registry] });
  readonly firstEventSeconds = new Histogram({ name: 'paddock_turn_first_event_seconds', help: 'From the claim of a turn to the first event its harness streamed.', labelNames: ['team', 'harness'] as const, buckets: LATENCY_SECONDS, registers: [this.registry] });
  readonly claimWaitSeconds = new Histogram({ name: 'paddock_turn_claim_wait_seconds', help: 'From a message\'s enqueue to its turn\'s first claim by a replica (database clock).', labelNames: ['team', 'harness'] as const, buckets: LATENCY_SECONDS, registers: [this.registry] });
  readonly turnsClaimed = new Counter({ name: 'paddock_turns_claimed_total', help: 'Turns claimed by this replica (recovered: a previous owner stopped).', labelNames: ['recovered'] as const, registers: [this.registry] });
  readonly toolCalls = new Counter({ name: 'paddock_tool_calls_total', help: 'Tool calls the harnesses reported, by team and harness.', labelNames: ['team', 'harness'] as const, registers: [this.registry] });
  readonly events = new Counter({ name: 'paddock_events_total', help: 'Session events persisted by this replica.', registers: [this.registry] });
  readonly sandboxClaimSeconds = new Histogram({ name: 'paddock_sandbox_claim_seconds', help: 'Sandbox acquire: time to get a ready, bound sandbox from the driver.', labelNames: ['team', 'driver'] as const, buckets: SANDBOX_SECONDS, registers: [this.registry] });
  readonly sandboxClaimFailures = new Counter({ name: 'paddock_sandbox_claim_failures_total', help: 'Sandbox acquisitions that failed, by team, driver and error code.', labelNames: ['team', 'driver', 'code'] as const, registers: [this.registry] });
  readonly sandboxesLost = new Counter({ name: 'paddock_sandboxes_lost_total', help: 'Sandboxes found dead or replaced, by team and driver.', labelNames: ['team', 'driver'] as const, registers: [this.registry] });
  readonly dbErrors = new Counter({ name: 'paddock_db_errors_total', help: 'Database errors seen by this replica, by kind (unavailable, overloaded, other).', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly httpRequests = new Counter({ name: 'paddock_http_requests_total', help: 'API requests, by route and status class.', labelNames: ['route', 'code'] as const, registers: [this.registry] });
  readonly tokens = new Counter({ name: 'paddock_tokens_total', help: 'Model tokens the harnesses reported for finished turns, by team and direction (input, output).', labelNames: ['team', 'direction'] as const, registers: [this.registry] });
  readonly costUsd = new Counter({ name: 'paddock_cost_usd_total', help: 'Model cost in USD the harnesses reported for finished turns (when their CLI knew it), by team.', labelNames: ['team'] as const, registers: [this.registry] });
  readonly httpSeconds = new Histogram({ name: 'paddock_http_request_duration_seconds', help: 'API request time to the end of the response (event streams excluded).', labelNames: ['route'] as const, buckets: HTTP_SECONDS, registers: [this.registry] });

  private readonly ready = new Gauge({ name: 'paddock_ready', help: 'Whether this replica is ready (database reachable, migrations applied).', registers: [this.registry] });
  private readonly sessions = new Gauge({ name: 'paddock_sessions', help: 'Sessions by state (all teams).', labelNames: ['state'] as const, registers: [this.registry] });
  private readonly turnsRunning = new Gauge({ name: 'paddock_turns_running', help: 'Turns this replica is running now.', registers: [this.registry] });
  private readonly streams = new Gauge({ name: 'paddock_event_streams', help: 'Open SSE event streams on this replica.', registers: [this.registry] });

  constructor(options: { readonly defaultMetrics?: boolean } = {}) {
    // process_* and nodejs_*: CPU, memory, file descriptors, event loop lag, GC, heap
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts a finished turn's usage (harness protocol `done.usage`) for its team. */
  recordUsage(team: string, usage: { readonly inputTokens: number; readonly outputTokens: number; readonly costUsd?: number | undefined }): void {
    this.tokens.inc({ team, direction: 'input' }, usage.inputTokens);
    this.tokens.inc({ team, direction: 'output' }, usage.outputTokens);
    if (usage.costUsd !== undefined) this.costUsd.inc({ team }, usage.costUsd);
  }

  /** The exposition text, with the scrape-time gauges set from `gauges`. */
  async render(gauges: ScrapeGauges): Promise<string> {
    this.ready.set(gauges.ready ? 1 : 0);
    this.turnsRunning.set(gauges.turnsRunning);
    this.streams.set(gauges.streams);
    // without the database the session gauge is left out rather than reported as zero
    this.sessions.reset();
    for (const [state, n] of Object.entries(gauges.sessionsByState ?? {})) this.sessions.set({ state }, n);
    return this.registry.metrics();
  }

  /** The sum of a counter's series whose labels include `labels` (for tests and benchmarks). */
  async total<T extends string>(metric: Counter<T>, labels: Partial<LabelValues<T>> = {}): Promise<number> {
    const { values } = await metric.get();
    return values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k as T]) === String(want))).reduce((sum, v) => sum + v.value, 0);
  }
}
