/**
 * Prometheus metrics of one runtime replica, rendered as text exposition format 0.0.4.
 * Process-local counters and histograms; gauges computed at scrape time are passed to render().
 */

type Labels = Readonly<Record<string, string>>;

const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
};

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const current = this.values.get(key);
    if (current) current.value += by;
    else this.values.set(key, { labels, value: by });
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) s!.counts[i]!++;
    });
    s.sum += value;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(bound) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export interface ScrapeGauges {
  /** sessions by state, or undefined when the database could not be asked */
  readonly sessionsByState?: Readonly<Record<string, number>> | undefined;
  readonly turnsRunning: number;
  readonly ready: boolean;
  readonly streams: number;
}

export class RuntimeMetrics {
  readonly turns = new Counter('paddock_turns_total', 'Turns finished by this replica, by outcome.');
  readonly turnsClaimed = new Counter('paddock_turns_claimed_total', 'Turns claimed by this replica (recovered: a previous owner stopped).');
  readonly events = new Counter('paddock_events_total', 'Session events persisted by this replica.');
  readonly sandboxClaimSeconds = new Histogram('paddock_sandbox_claim_seconds', 'Time to get a ready, bound sandbox from the driver.', [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120]);
  readonly sandboxClaimFailures = new Counter('paddock_sandbox_claim_failures_total', 'Sandbox claims that failed, by error code.');
  readonly sandboxesLost = new Counter('paddock_sandboxes_lost_total', 'Sandboxes found dead or replaced, by reason.');
  readonly dbErrors = new Counter('paddock_db_errors_total', 'Database errors seen by this replica, by kind (unavailable, other).');
  readonly httpRequests = new Counter('paddock_http_requests_total', 'API requests, by route and status class.');

  render(gauges: ScrapeGauges): string {
    const parts: string[] = [];
    parts.push('# HELP paddock_ready Whether this replica is ready (database reachable, migrations applied).', '# TYPE paddock_ready gauge', `paddock_ready ${gauges.ready ? 1 : 0}`);
    if (gauges.sessionsByState) {
      parts.push('# HELP paddock_sessions Sessions by state (all teams).', '# TYPE paddock_sessions gauge');
      for (const [state, n] of Object.entries(gauges.sessionsByState)) parts.push(`paddock_sessions${labelText({ state })} ${n}`);
    }
    parts.push('# HELP paddock_turns_running Turns this replica is running now.', '# TYPE paddock_turns_running gauge', `paddock_turns_running ${gauges.turnsRunning}`);
    parts.push('# HELP paddock_event_streams Open SSE event streams on this replica.', '# TYPE paddock_event_streams gauge', `paddock_event_streams ${gauges.streams}`);
    for (const metric of [this.turns, this.turnsClaimed, this.events, this.sandboxClaimSeconds, this.sandboxClaimFailures, this.sandboxesLost, this.dbErrors, this.httpRequests]) parts.push(metric.render());
    return `${parts.join('\n')}\n`;
  }
}
