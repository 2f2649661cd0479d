/**
 * The monitoring chart's alert rules with Prometheus's own tool: `promtool check rules` on the
 * PrometheusRule's groups, and `promtool test rules` with synthetic series for every alert
 * (it fires when it should, with its labels and rendered annotations, and stays quiet when it
 * should). Every metric a rule or a dashboard panel reads must be one the runtime exports.
 * promtool comes from Debian's `prometheus` package; .ci/run installs it and under CI=true
 * its absence fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { monitoringObjects } from '../../../charts-synth/charts/monitoring.ts';
import { ALERT_THRESHOLDS, type AlertRule, type RuleGroup } from '../../../charts-synth/monitoring/alert-rules.ts';
import type { GrafanaDashboard } from '../../../charts-synth/monitoring/grafana-dashboard.ts';
import { SessionToolCallRate } from '../../../runtime/audit/tool-call-rate.ts';
import { AuditTrail } from '../../../runtime/audit/trail.ts';
import { isDatabaseUnavailable } from '../../../runtime/db/pool.ts';
import { silentLogger } from '../../../runtime/log.ts';
import { RuntimeMetrics } from '../../../runtime/metrics.ts';
import { shippedSpec } from '../../support/fixtures.ts';

const installed = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
const inCi = process.env.CI === 'true';
const J = 'paddock-system/paddock-runtime';
const objects = monitoringObjects(shippedSpec('prod'));
const groups = (objects.find((o) => o.kind === 'PrometheusRule')!.spec as { groups: RuleGroup[] }).groups;
const rules = new Map<string, AlertRule>(groups.flatMap((g) => g.rules.map((r) => [r.alert, r] as const)));
const dashboard = JSON.parse((objects.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>)['paddock-runtime.json']!) as GrafanaDashboard;
const dir = mkdtempSync(join(tmpdir(), 'paddock-promtool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The annotations Prometheus renders for `alert` with these labels and value text. */
function rendered(alert: string, labels: Record<string, string>, value = ''): Record<string, string> {
  const rule = rules.get(alert)!;
  return Object.fromEntries(Object.entries(rule.annotations).map(([k, text]) => [k, text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '').replace(/\{\{ \$value \| humanize(Percentage)? \}\}/g, value)]));
}

interface Expectation {
  readonly alert: string;
  readonly at: string;
  /** labels of each firing instance (the rule's severity is added), and the value text its annotations show */
  readonly firing: ReadonlyArray<{ readonly labels: Record<string, string>; readonly value?: string }>;
}

interface Case {
  readonly name: string;
  readonly interval?: string;
  readonly series: ReadonlyArray<readonly [series: string, values: string]>;
  readonly expect: readonly Expectation[];
}

const CASES: Case[] = [
  {
    name: 'no ready replica: unavailable after 3 minutes, the replica not ready after 10',
    series: [[`paddock_ready{job="${J}", pod="rt-a"}`, '1 1 0x20'], [`up{job="${J}", pod="rt-a"}`, '1x22']],
    expect: [
      { alert: 'PaddockRuntimeUnavailable', at: '4m', firing: [] },
      { alert: 'PaddockRuntimeUnavailable', at: '6m', firing: [{ labels: {} }] },
      { alert: 'PaddockRuntimeReplicaNotReady', at: '8m', firing: [] },
      { alert: 'PaddockRuntimeReplicaNotReady', at: '13m', firing: [{ labels: { job: J, pod: 'rt-a' } }] },
      { alert: 'PaddockRuntimeTargetDown', at: '13m', firing: [] },
    ],
  },
  {
    name: 'no runtime scraped at all is unavailable too',
    series: [['up{job="something-else"}', '1x10']],
    expect: [{ alert: 'PaddockRuntimeUnavailable', at: '5m', firing: [{ labels: {} }] }],
  },
  {
    name: 'a ready runtime alerts nothing',
    series: [[`paddock_ready{job="${J}", pod="rt-a"}`, '1x20'], [`paddock_ready{job="${J}", pod="rt-b"}`, '1x20'], [`up{job="${J}", pod="rt-a"}`, '1x20']],
    expect: ['PaddockRuntimeUnavailable', 'PaddockRuntimeReplicaNotReady', 'PaddockRuntimeTargetDown', 'PaddockDatabaseUnavailable', 'PaddockAuditWriteFailures'].map((alert) => ({ alert, at: '15m', firing: [] })),
  },
  {
    name: 'a target that does not answer',
    series: [[`up{job="${J}", pod="rt-b"}`, '1 0x10']],
    expect: [{ alert: 'PaddockRuntimeTargetDown', at: '4m', firing: [] }, { alert: 'PaddockRuntimeTargetDown', at: '7m', firing: [{ labels: { job: J, pod: 'rt-b' } }] }],
  },
  {
    name: 'the database unreachable for 5 minutes; other database errors are not an outage',
    series: [[`paddock_db_errors_total{job="${J}", pod="rt-a", kind="unavailable"}`, '0 0 0+2x20'], [`paddock_db_errors_total{job="${J}", pod="rt-b", kind="other"}`, '0+5x20']],
    expect: [{ alert: 'PaddockDatabaseUnavailable', at: '5m', firing: [] }, { alert: 'PaddockDatabaseUnavailable', at: '10m', firing: [{ labels: {} }] }],
  },
  {
    name: 'audit rows not written',
    series: [[`paddock_audit_write_failures_total{job="${J}", pod="rt-a", reason="unavailable"}`, '0 0 0 2 2 2 2 2 2 2']],
    expect: [{ alert: 'PaddockAuditWriteFailures', at: '2m', firing: [] }, { alert: 'PaddockAuditWriteFailures', at: '6m', firing: [{ labels: {}, value: '2' }] }],
  },
  {
    name: 'half of a team\'s turns fail; another team\'s do not',
    series: [
      [`paddock_turns_total{job="${J}", pod="rt-a", team="alpha", harness="codex", outcome="completed"}`, '0+1x60'],
      [`paddock_turns_total{job="${J}", pod="rt-a", team="alpha", harness="codex", outcome="failed"}`, '0+1x60'],
      [`paddock_turns_total{job="${J}", pod="rt-a", team="beta", harness="codex", outcome="completed"}`, '0+4x60'],
      [`paddock_turns_total{job="${J}", pod="rt-a", team="beta", harness="codex", outcome="failed"}`, '0+0x60'],
      // a team with too few turns to judge
      [`paddock_turns_total{job="${J}", pod="rt-a", team="gamma", harness="codex", outcome="failed"}`, '0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1'],
    ],
    expect: [
      { alert: 'PaddockTeamTurnFailureRate', at: '10m', firing: [] },
      { alert: 'PaddockTeamTurnFailureRate', at: '40m', firing: [{ labels: { team: 'alpha' }, value: '50%' }] },
    ],
  },
  {
    name: 'turns hitting the timeout',
    series: [
      [`paddock_turn_errors_total{job="${J}", pod="rt-a", team="alpha", harness="codex", code="turn_timeout"}`, '0 1 2 3 4 5 5 5 5 5 5 5 5 5 5'],
      [`paddock_turn_errors_total{job="${J}", pod="rt-a", team="beta", harness="codex", code="sandbox_lost"}`, '0+1x14'],
    ],
    expect: [{ alert: 'PaddockTurnsHittingTimeout', at: '3m', firing: [] }, { alert: 'PaddockTurnsHittingTimeout', at: '12m', firing: [{ labels: { team: 'alpha' } }] }],
  },
  {
    name: 'a team losing sandboxes; claims failing',
    series: [
      [`paddock_sandboxes_lost_total{job="${J}", pod="rt-a", team="alpha", driver="kubernetes"}`, '0+1x60'],
      [`paddock_turns_total{job="${J}", pod="rt-a", team="alpha", harness="codex", outcome="completed"}`, '0+2x60'],
      [`paddock_sandboxes_lost_total{job="${J}", pod="rt-a", team="beta", driver="kubernetes"}`, '0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1'],
      [`paddock_turns_total{job="${J}", pod="rt-a", team="beta", harness="codex", outcome="completed"}`, '0+10x60'],
      [`paddock_sandbox_claim_failures_total{job="${J}", pod="rt-a", team="alpha", driver="kubernetes", code="sandbox_unavailable"}`, '0+1x60'],
    ],
    expect: [
      { alert: 'PaddockSandboxLossRate', at: '5m', firing: [] },
      { alert: 'PaddockSandboxLossRate', at: '45m', firing: [{ labels: { team: 'alpha' } }] },
      { alert: 'PaddockSandboxClaimsFailing', at: '45m', firing: [{ labels: { team: 'alpha', code: 'sandbox_unavailable' } }] },
    ],
  },
  {
    name: 'one session calling tools far faster than usual, on one of two replicas',
    series: [
      [`paddock_session_tool_calls_5m_max{job="${J}", pod="rt-a"}`, '0 40 160 200 220 220 220 220 220 220 220'],
      [`paddock_session_tool_calls_5m_max{job="${J}", pod="rt-b"}`, '12x10'],
    ],
    expect: [
      { alert: 'PaddockSessionToolCallRate', at: '5m', firing: [] },
      { alert: 'PaddockSessionToolCallRate', at: '9m', firing: [{ labels: {}, value: '220' }] },
    ],
  },
  {
    name: 'a team whose agents suddenly call tools ten times faster than over the day before',
    interval: '1m',
    series: [
      [`paddock_tool_calls_total{job="${J}", pod="rt-a", team="alpha", harness="codex"}`, '0+10x1440 14400+100x60'],
      [`paddock_tool_calls_total{job="${J}", pod="rt-a", team="beta", harness="codex"}`, '0+40x1500'],
    ],
    expect: [
      { alert: 'PaddockUnusualToolCallRate', at: '1440m', firing: [] },
      { alert: 'PaddockUnusualToolCallRate', at: '1470m', firing: [{ labels: { team: 'alpha' } }] },
    ],
  },
];

function unitTestFile(cases: readonly Case[] = CASES): string {
  return stringify({
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: cases.map((c) => ({
      name: c.name,
      interval: c.interval ?? '1m',
      input_series: c.series.map(([series, values]) => ({ series, values })),
      alert_rule_test: c.expect.map((e) => ({
        eval_time: e.at,
        alertname: e.alert,
        exp_alerts: e.firing.map((f) => ({ exp_labels: { severity: rules.get(e.alert)!.labels.severity, ...f.labels }, exp_annotations: rendered(e.alert, f.labels, f.value) })),
      })),
    })),
  });
}

/** Metric names a PromQL expression reads (the runtime's, Node's, the process's, Prometheus's `up`). */
function metricsIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b(paddock_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+|up)\b(?=\s*[{[)])/g)].map((m) => m[1]!))];
}

async function exportedMetricNames(): Promise<Set<string>> {
  const metrics = new RuntimeMetrics();
  // the audit trail registers its counters on the runtime's registry (no connection is made)
  const pool = new pg.Pool({ connectionString: 'postgres://unused@127.0.0.1:1/unused' });
  new AuditTrail(pool, silentLogger, metrics.registry, isDatabaseUnavailable);
  new SessionToolCallRate(metrics.registry, silentLogger);
  await pool.end();
  const names = new Set<string>(['up']);
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

describe('alert rules', () => {
  it('promtool is installed in CI (.ci/run installs Debian\'s prometheus package)', () => {
    expect(installed || !inCi, 'CI=true and promtool is not installed: .ci/run runs apt-get install -y prometheus').toBe(true);
  });

  it('have for:, a severity, a summary, a description and a runbook each; every alert the issue asks for is there', () => {
    for (const rule of rules.values()) {
      expect(rule.for, rule.alert).toMatch(/^\d+m$/);
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      for (const key of ['summary', 'description', 'runbook'] as const) expect(rule.annotations[key].length, `${rule.alert} ${key}`).toBeGreaterThan(20);
    }
    expect([...rules.keys()]).toEqual(expect.arrayContaining(['PaddockTeamTurnFailureRate', 'PaddockTurnsHittingTimeout', 'PaddockSandboxLossRate', 'PaddockUnusualToolCallRate', 'PaddockSessionToolCallRate', 'PaddockRuntimeUnavailable', 'PaddockDatabaseUnavailable']));
    expect(rules.get('PaddockTeamTurnFailureRate')!.expr).toContain(`> ${ALERT_THRESHOLDS.teamFailureRatio}`);
    // every alert is exercised by a promtool case that makes it fire
    const fired = new Set(CASES.flatMap((c) => c.expect.filter((e) => e.firing.length > 0).map((e) => e.alert)));
    expect([...rules.keys()].filter((a) => !fired.has(a))).toEqual([]);
  });

  it('read only metrics the runtime exports, and so does every dashboard panel', async () => {
    const exported = await exportedMetricNames();
    const exprs = [...[...rules.values()].map((r) => [r.alert, r.expr] as const), ...dashboard.panels.flatMap((p) => p.targets.map((t) => [p.title, t.expr] as const))];
    for (const [where, expr] of exprs) {
      const used = metricsIn(expr);
      expect(used.length, `${where}: ${expr}`).toBeGreaterThan(0);
      expect(used.filter((m) => !exported.has(m)), `${where} reads metrics the runtime does not export`).toEqual([]);
    }
  });

  it.skipIf(!installed)('pass promtool check rules', () => {
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
    const result = promtool('check', 'rules', 'rules.yaml');
    expect(result.output).toMatch(new RegExp(`SUCCESS: ${rules.size} rules found`));
    expect(result.status, result.output).toBe(0);
  });

  it.skipIf(!installed)('fire and stay quiet as promtool test rules expects', () => {
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
    writeFileSync(join(dir, 'tests.yaml'), unitTestFile());
    const result = promtool('test', 'rules', 'tests.yaml');
    expect(result.output).toContain('SUCCESS');
    expect(result.status, result.output).toBe(0);
    // and a wrong expectation fails it: the test can fail
    const wrong = CASES.map((c) => ({ ...c, expect: c.expect.map((e) => (e.alert === 'PaddockUnusualToolCallRate' && e.firing.length > 0 ? { ...e, firing: [{ labels: { team: 'beta' } }] } : e)) }));
    writeFileSync(join(dir, 'wrong.yaml'), unitTestFile(wrong));
    const failed = promtool('test', 'rules', 'wrong.yaml');
    expect(failed.status).not.toBe(0);
    expect(failed.output).toContain('PaddockUnusualToolCallRate');
  });

  it.skipIf(!installed)('dashboard queries are valid PromQL (checked as recording rules by promtool)', () => {
    const recording = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ record: `paddock:dashboard:${p.id}_${t.refId}`, expr: t.expr.replaceAll('$__rate_interval', '5m').replaceAll('$team', '.*') })));
    writeFileSync(join(dir, 'dashboard-rules.yaml'), stringify({ groups: [{ name: 'dashboard', rules: recording }] }));
    const result = promtool('check', 'rules', 'dashboard-rules.yaml');
    expect(result.status, result.output).toBe(0);
  });
});

describe('grafana dashboard', () => {
  it('is a Grafana dashboard model: unique panel ids, grid inside 24 columns, a Prometheus data source variable', () => {
    expect(dashboard).toMatchObject({ uid: 'paddock-runtime', title: 'Paddock runtime', schemaVersion: expect.any(Number) });
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      expect(new Set(panel.targets.map((t) => t.refId)).size).toBe(panel.targets.length);
    }
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    // no two panels overlap
    const cells = new Set<string>();
    for (const p of dashboard.panels) for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
      expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
      cells.add(`${x},${y}`);
    }
  });
});
