/**
 * Paddock's Prometheus alerting rules (the PrometheusRule of the monitoring chart, ADR 0027),
 * written against the metric names the runtime exports (docs/runtime.md, runtime/metrics.ts and
 * runtime/audit/trail.ts). Each rule has a `for:` so a blip does not page, a severity label
 * (critical: users are blocked now; warning: something degrades), and a summary, description
 * and runbook an on-call engineer can act on. Unit-tested with `promtool test rules`.
 */
import { SESSION_TOOL_CALLS_METRIC, SESSION_TOOL_CALLS_THRESHOLD } from '../../runtime/audit/tool-call-rate.ts';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'critical' | 'warning' };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly AlertRule[];
}

/** The `job` label Prometheus gives the runtime's targets: `<namespace>/<PodMonitor name>`. */
export function runtimeJob(namespace: string, podMonitorName: string): string {
  return `${namespace}/${podMonitorName}`;
}

/** Thresholds, kept here so that the rules, their tests and the docs say the same. */
export const ALERT_THRESHOLDS = {
  /** share of a team's finished turns that failed or were interrupted */
  teamFailureRatio: 0.25,
  /** finished turns in the window before a team's failure ratio means anything */
  teamFailureMinTurns: 5,
  /** turns of a team ended by the turn timeout within 30 minutes */
  timeoutsPer30m: 3,
  /** sandboxes lost per finished turn of a team */
  sandboxLossRatio: 0.1,
  sandboxLossMin: 3,
  /** a team's tool calls per minute against its own previous day */
  toolCallSurgeFactor: 3,
  toolCallMinPerMinute: 30,
  /** tool calls by one session within 5 minutes (the runtime logs the session past it) */
  sessionToolCalls5m: SESSION_TOOL_CALLS_THRESHOLD,
} as const;

export function paddockAlertGroups(job: string): RuleGroup[] {
  const j = `job="${job}"`;
  const t = ALERT_THRESHOLDS;
  return [
    {
      name: 'paddock-runtime',
      rules: [
        {
          alert: 'PaddockRuntimeUnavailable',
          expr: `(sum(paddock_ready{${j}}) or vector(0)) < 1`,
          for: '3m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'No Paddock runtime replica is ready',
            description: 'No replica of the runtime reports ready (or none is scraped): the API answers 503 or not at all, and no turn runs.',
            runbook: 'kubectl -n paddock-system get pods -l app.kubernetes.io/name=paddock-runtime; kubectl -n paddock-system describe pod <pod> and logs <pod>. /readyz says why a replica is not ready (database unreachable, migrations not applied or refused: the log names the migration). A rollout stuck on a bad image: kubectl -n paddock-system rollout undo deployment/paddock-runtime.',
          },
        },
        {
          alert: 'PaddockRuntimeReplicaNotReady',
          expr: `paddock_ready{${j}} == 0`,
          for: '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Runtime replica {{ $labels.pod }} has not been ready for 10 minutes',
            description: 'The replica answers /metrics but not /readyz: it is starting, shutting down, or waiting for its database or migrations. Other replicas take its work.',
            runbook: 'kubectl -n paddock-system logs {{ $labels.pod }}: the line "database unavailable at start-up" or a MigrationError says why. A replica stuck draining is killed by its terminationGracePeriod.',
          },
        },
        {
          alert: 'PaddockRuntimeTargetDown',
          expr: `up{${j}} == 0`,
          for: '5m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Prometheus cannot scrape runtime replica {{ $labels.pod }}',
            description: 'The runtime pod exists but /metrics does not answer: the process hangs or the network path from Prometheus is closed.',
            runbook: 'kubectl -n paddock-system describe pod {{ $labels.pod }} (liveness restarts a hung process). A NetworkPolicy change that closed port 8080 to Prometheus\'s namespace shows on every replica at once.',
          },
        },
        {
          alert: 'PaddockDatabaseUnavailable',
          expr: `sum(increase(paddock_db_errors_total{${j},kind="unavailable"}[5m])) > 0`,
          for: '5m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'The runtime cannot reach its Postgres database',
            description: 'Runtime replicas have been failing to reach the database for 5 minutes (each scrape asks it too): API calls answer 503 database_unavailable and turns cannot be recorded. Everything resumes by itself once it is back.',
            runbook: 'kind: kubectl -n paddock-system get pods -l app.kubernetes.io/name=paddock-postgres and its logs (disk full, OOM). EKS: the RDS console (events, storage, a failover in progress) and the security group on 5432 from the nodes. The runtime log says "database unavailable".',
          },
        },
        {
          alert: 'PaddockAuditWriteFailures',
          expr: `sum(increase(paddock_audit_write_failures_total{${j}}[10m])) > 0`,
          for: '1m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Audit records are not reaching the database',
            description: '{{ $value | humanize }} API actions in 10 minutes have no row in audit_log. Each was logged in full at error level ("audit record not written to the database"), so the trail survives in the log pipeline.',
            runbook: 'Recover the entries from the runtime log (field "audit") for the incident window. Reason "unavailable": see PaddockDatabaseUnavailable. Reason "other": a schema problem; check that migration 0004_audit is applied (paddock_schema_migrations) and the runtime log\'s error text.',
          },
        },
      ],
    },
    {
      name: 'paddock-turns',
      rules: [
        {
          alert: 'PaddockTeamTurnFailureRate',
          expr: `(sum by (team) (increase(paddock_turns_total{${j},outcome=~"failed|interrupted"}[15m])) / sum by (team) (increase(paddock_turns_total{${j}}[15m]))) > ${t.teamFailureRatio} and sum by (team) (increase(paddock_turns_total{${j}}[15m])) >= ${t.teamFailureMinTurns}`,
          for: '15m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Team {{ $labels.team }}: {{ $value | humanizePercentage }} of turns fail',
            description: `More than ${t.teamFailureRatio * 100}% of team {{ $labels.team }}'s finished turns failed or were interrupted over 15 minutes (at least ${t.teamFailureMinTurns} turns).`,
            runbook: 'Which error: sum by (code, harness) (increase(paddock_turn_errors_total{team="{{ $labels.team }}"}[15m])). budget_exceeded / rate_limited: the team\'s gateway limits. sandbox_unavailable / sandbox_lost: the team namespace\'s quota and warm pool (kubectl -n <team namespace> get sandboxwarmpools,sandboxclaims,pods). A harness code: GET /v1/sessions/<id>/summary of an affected session (GET /v1/audit?team=... lists them).',
          },
        },
        {
          alert: 'PaddockTurnsHittingTimeout',
          expr: `sum by (team) (increase(paddock_turn_errors_total{${j},code="turn_timeout"}[30m])) >= ${t.timeoutsPer30m}`,
          for: '5m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Team {{ $labels.team }}: turns are running into the turn timeout',
            description: `At least ${t.timeoutsPer30m} of team {{ $labels.team }}'s turns in 30 minutes were aborted at runtime.turnTimeoutSeconds: agents loop, hang on a tool, or the model is too slow.`,
            runbook: 'Find the sessions: GET /v1/audit?team={{ $labels.team }}&action=session.message, then GET /v1/sessions/<id>/summary (durations, tool calls) and the events of the timed-out turn. A hung harness shows no events for minutes before the timeout; raise runtime.turnTimeoutSeconds only when the work is genuinely long.',
          },
        },
      ],
    },
    {
      name: 'paddock-sandboxes',
      rules: [
        {
          alert: 'PaddockSandboxLossRate',
          expr: `(sum by (team) (increase(paddock_sandboxes_lost_total{${j}}[30m])) / clamp_min(sum by (team) (increase(paddock_turns_total{${j}}[30m])), 1)) > ${t.sandboxLossRatio} and sum by (team) (increase(paddock_sandboxes_lost_total{${j}}[30m])) >= ${t.sandboxLossMin}`,
          for: '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Team {{ $labels.team }} is losing sandboxes',
            description: `More than ${t.sandboxLossRatio * 100}% of team {{ $labels.team }}'s turns lost their sandbox over 30 minutes (at least ${t.sandboxLossMin}): pods are evicted, OOM-killed or their nodes go away.`,
            runbook: 'kubectl -n <team namespace> get events --sort-by=.lastTimestamp | grep -i -E "oom|evict|preempt"; kubectl -n <team namespace> describe pod <sandbox pod>. OOMKilled: raise the harness resources (teams[].harnesses[].resources). Node churn (spot, scale-down): check the node group and the cluster autoscaler.',
          },
        },
        {
          alert: 'PaddockSandboxClaimsFailing',
          expr: `sum by (team, code) (increase(paddock_sandbox_claim_failures_total{${j}}[15m])) >= 5`,
          for: '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Team {{ $labels.team }}: sandboxes cannot be acquired ({{ $labels.code }})',
            description: 'The runtime keeps failing to get a ready sandbox for the team: new turns wait and then fail with sandbox_unavailable.',
            runbook: 'kubectl -n <team namespace> get sandboxclaims,sandboxes,pods and describe a pending claim; the team ResourceQuota (kubectl -n <team namespace> describe resourcequota) and the agent-sandbox controller log (kubectl -n agent-sandbox-system logs deploy/agent-sandbox-controller).',
          },
        },
      ],
    },
    {
      name: 'paddock-agent-behaviour',
      rules: [
        {
          alert: 'PaddockSessionToolCallRate',
          expr: `max(${SESSION_TOOL_CALLS_METRIC}{${j}}) > ${t.sessionToolCalls5m}`,
          for: '5m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A session is calling tools at an unusual rate',
            description: `One session has made {{ $value | humanize }} tool calls within 5 minutes (more than ${t.sessionToolCalls5m}, 30 a minute) for at least 5 minutes: an agent in a loop, or one doing something it should not.`,
            runbook: 'The runtime log names the session: kubectl -n paddock-system logs -l app.kubernetes.io/name=paddock-runtime --since=30m | grep "session calling tools at an unusual rate". GET /v1/sessions/<id>/summary (admin token) shows its tool calls by tool, its events what it ran, GET /v1/audit?session=<id> who drove it. Stop it with POST /v1/sessions/<id>/abort or DELETE /v1/sessions/<id>.',
          },
        },
        {
          alert: 'PaddockUnusualToolCallRate',
          expr: `sum by (team) (rate(paddock_tool_calls_total{${j}}[10m])) > ${t.toolCallSurgeFactor} * sum by (team) (rate(paddock_tool_calls_total{${j}}[1d] offset 10m)) and sum by (team) (rate(paddock_tool_calls_total{${j}}[10m])) * 60 > ${t.toolCallMinPerMinute}`,
          for: '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Team {{ $labels.team }}: agents call tools at an unusual rate',
            description: `Team {{ $labels.team }}'s agents call tools more than ${t.toolCallSurgeFactor} times faster than over the previous day, and above ${t.toolCallMinPerMinute} per minute: an agent in a loop, or one doing something it should not.`,
            runbook: 'Find the session: GET /v1/usage?team={{ $labels.team }}&groupBy=session&from=<an hour ago> (admin token) lists the busy sessions; GET /v1/sessions/<id>/summary shows its tool calls by tool, and its events what it ran. Abort a runaway turn with POST /v1/sessions/<id>/abort, or end the session; GET /v1/audit?session=<id> shows who drove it.',
          },
        },
      ],
    },
  ];
}
