/**
 * The Grafana dashboard of the monitoring chart (ADR 0027), as the JSON model Grafana imports
 * (schemaVersion 39), delivered as a ConfigMap its dashboard sidecar loads. Every query reads a
 * metric the runtime exports (checked by test/charts-synth/monitoring/grafana-dashboard.test.ts),
 * filtered by the runtime's scrape job, with a data source chosen on the dashboard.
 */

export interface DashboardPanel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly description: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource: { readonly type: 'prometheus'; readonly uid: '${datasource}' };
  readonly fieldConfig: { readonly defaults: { readonly unit: string }; readonly overrides: readonly never[] };
  readonly targets: ReadonlyArray<{ readonly refId: string; readonly expr: string; readonly legendFormat: string }>;
}

export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly schemaVersion: number;
  readonly editable: boolean;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly templating: { readonly list: readonly unknown[] };
  readonly panels: readonly DashboardPanel[];
}

export const DASHBOARD_UID = 'paddock-runtime';
export const DASHBOARD_FILE = 'paddock-runtime.json';

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly type?: 'timeseries' | 'stat';
  readonly queries: ReadonlyArray<readonly [expr: string, legend: string]>;
}

export function paddockDashboard(job: string): GrafanaDashboard {
  const j = `job="${job}", team=~"$team"`;
  const jobOnly = `job="${job}"`;
  const q = (quantile: number, metric: string, by: string) => `histogram_quantile(${quantile}, sum by (le, ${by}) (rate(${metric}_bucket{${j}}[$__rate_interval])))`;
  const rows: PanelSpec[][] = [
    [
      { title: 'Ready replicas', description: 'Runtime replicas reporting ready.', unit: 'none', type: 'stat', queries: [[`sum(paddock_ready{${jobOnly}})`, 'ready']] },
      { title: 'Turns running', description: 'Turns the replicas are running now.', unit: 'none', type: 'stat', queries: [[`sum(paddock_turns_running{${jobOnly}})`, 'running']] },
      { title: 'Sessions by state', description: 'All teams, read from the database at scrape time (one replica\'s view).', unit: 'none', type: 'stat', queries: [[`max by (state) (paddock_sessions{${jobOnly}})`, '{{state}}']] },
      { title: 'Open event streams', description: 'SSE streams clients hold open.', unit: 'none', type: 'stat', queries: [[`sum(paddock_event_streams{${jobOnly}})`, 'streams']] },
    ],
    [
      { title: 'Turns by outcome', description: 'Finished turns per second, by team and outcome.', unit: 'ops', queries: [[`sum by (team, outcome) (rate(paddock_turns_total{${j}}[$__rate_interval]))`, '{{team}} {{outcome}}']] },
      { title: 'Turn failure ratio', description: 'Failed or interrupted share of finished turns, by team (alert PaddockTeamTurnFailureRate).', unit: 'percentunit', queries: [[`sum by (team) (rate(paddock_turns_total{${j}, outcome=~"failed|interrupted"}[$__rate_interval])) / sum by (team) (rate(paddock_turns_total{${j}}[$__rate_interval]))`, '{{team}}']] },
      { title: 'Turn errors by code', description: 'Failed or interrupted turns per second by error code.', unit: 'ops', queries: [[`sum by (code) (rate(paddock_turn_errors_total{${j}}[$__rate_interval]))`, '{{code}}']] },
    ],
    [
      { title: 'Turn duration', description: 'Claim to finish, p50 and p95, by team.', unit: 's', queries: [[q(0.5, 'paddock_turn_duration_seconds', 'team'), 'p50 {{team}}'], [q(0.95, 'paddock_turn_duration_seconds', 'team'), 'p95 {{team}}']] },
      { title: 'Time to first event', description: 'Claim to the harness\'s first event (what a user waits for), p95.', unit: 's', queries: [[q(0.95, 'paddock_turn_first_event_seconds', 'team'), 'p95 {{team}}']] },
      { title: 'Claim wait', description: 'Enqueue to first claim by a replica, p95: the turn queue\'s latency.', unit: 's', queries: [[q(0.95, 'paddock_turn_claim_wait_seconds', 'team'), 'p95 {{team}}']] },
    ],
    [
      { title: 'Sandbox acquire', description: 'Time to a ready, bound sandbox, p95, by team.', unit: 's', queries: [[q(0.95, 'paddock_sandbox_claim_seconds', 'team'), 'p95 {{team}}']] },
      { title: 'Sandbox losses and claim failures', description: 'Sandboxes lost mid-session and failed acquisitions, per second.', unit: 'ops', queries: [[`sum by (team) (rate(paddock_sandboxes_lost_total{${j}}[$__rate_interval]))`, 'lost {{team}}'], [`sum by (team, code) (rate(paddock_sandbox_claim_failures_total{${j}}[$__rate_interval]))`, 'claim failed {{team}} {{code}}']] },
      { title: 'Tool calls', description: 'Tool calls per minute by team (alert PaddockUnusualToolCallRate), and the busiest session\'s tool calls in 5 minutes (alert PaddockSessionToolCallRate).', unit: 'none', queries: [[`sum by (team) (rate(paddock_tool_calls_total{${j}}[$__rate_interval])) * 60`, '{{team}} per minute'], [`max(paddock_session_tool_calls_5m_max{${jobOnly}})`, 'busiest session, 5 min']] },
    ],
    [
      { title: 'Tokens', description: 'Model tokens per second the harnesses reported, by team and direction.', unit: 'none', queries: [[`sum by (team, direction) (rate(paddock_tokens_total{${j}}[$__rate_interval]))`, '{{team}} {{direction}}']] },
      { title: 'Cost per hour', description: 'USD per hour the harnesses reported (turns whose CLI knew their cost).', unit: 'currencyUSD', queries: [[`sum by (team) (rate(paddock_cost_usd_total{${j}}[$__rate_interval])) * 3600`, '{{team}}']] },
    ],
    [
      { title: 'API requests', description: 'Requests per second by route and status class.', unit: 'reqps', queries: [[`sum by (route, code) (rate(paddock_http_requests_total{${jobOnly}}[$__rate_interval]))`, '{{route}} {{code}}']] },
      { title: 'API latency', description: 'p95 by route (event streams excluded).', unit: 's', queries: [[`histogram_quantile(0.95, sum by (le, route) (rate(paddock_http_request_duration_seconds_bucket{${jobOnly}}[$__rate_interval])))`, '{{route}}']] },
      { title: 'Database and audit errors', description: 'Database errors by kind, and audit rows not written (alerts PaddockDatabaseUnavailable, PaddockAuditWriteFailures).', unit: 'ops', queries: [[`sum by (kind) (rate(paddock_db_errors_total{${jobOnly}}[$__rate_interval]))`, 'db {{kind}}'], [`sum by (reason) (rate(paddock_audit_write_failures_total{${jobOnly}}[$__rate_interval]))`, 'audit {{reason}}']] },
    ],
    [
      { title: 'CPU', description: 'CPU seconds per second, by replica.', unit: 'percentunit', queries: [[`rate(process_cpu_seconds_total{${jobOnly}}[$__rate_interval])`, '{{pod}}']] },
      { title: 'Memory', description: 'Resident memory and heap, by replica.', unit: 'bytes', queries: [[`process_resident_memory_bytes{${jobOnly}}`, 'rss {{pod}}'], [`nodejs_heap_size_used_bytes{${jobOnly}}`, 'heap {{pod}}']] },
      { title: 'Event loop lag', description: 'p99 event loop lag, by replica: a busy or blocked runtime.', unit: 's', queries: [[`nodejs_eventloop_lag_p99_seconds{${jobOnly}}`, '{{pod}}']] },
    ],
  ];
  let id = 0;
  const panels: DashboardPanel[] = [];
  rows.forEach((row, r) => {
    const width = 24 / row.length;
    row.forEach((spec, c) => {
      const height = spec.type === 'stat' ? 4 : 8;
      panels.push({
        id: ++id,
        type: spec.type ?? 'timeseries',
        title: spec.title,
        description: spec.description,
        gridPos: { x: c * width, y: rows.slice(0, r).reduce((y, previous) => y + (previous[0]?.type === 'stat' ? 4 : 8), 0), w: width, h: height },
        datasource: { type: 'prometheus', uid: '${datasource}' },
        fieldConfig: { defaults: { unit: spec.unit }, overrides: [] },
        targets: spec.queries.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), expr, legendFormat })),
      });
    });
  });
  return {
    uid: DASHBOARD_UID,
    title: 'Paddock runtime',
    tags: ['paddock'],
    schemaVersion: 39,
    editable: false,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        {
          name: 'team', label: 'Team', type: 'query', datasource: { type: 'prometheus', uid: '${datasource}' },
          query: { query: `label_values(paddock_turns_total{${jobOnly}}, team)`, refId: 'team' },
          definition: `label_values(paddock_turns_total{${jobOnly}}, team)`,
          includeAll: true, multi: true, allValue: '.*', current: { text: 'All', value: '$__all' }, refresh: 2, hide: 0,
        },
      ],
    },
    panels,
  };
}
