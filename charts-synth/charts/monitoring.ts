/**
 * The monitoring chart (platform.monitoring.enabled, ADR 0027), for clusters that run the
 * Prometheus operator and Grafana (e.g. kube-prometheus-stack): a PodMonitor that scrapes the
 * runtime replicas' /metrics, a PrometheusRule with Paddock's alerts, and the Grafana
 * dashboard as a ConfigMap labelled for Grafana's dashboard sidecar.
 *
 * /metrics is served on the runtime's API port without a token: it holds counts and bounded
 * labels only (no session id, no user text) and reaches no sandbox. The runtime's NetworkPolicy
 * already admits that port from inside the cluster; nothing here opens anything new.
 */
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { MANAGED_BY_LABELS, PADDOCK_SYSTEM_NAMESPACE, RUNTIME_NAME } from '../../config/names.ts';
import type { KubeObject } from '../kube-object.ts';
import { componentLabels, selectorLabels } from '../builders/labels.ts';
import { paddockAlertGroups, runtimeJob } from '../monitoring/alert-rules.ts';
import { DASHBOARD_FILE, paddockDashboard } from '../monitoring/grafana-dashboard.ts';

export const MONITORING_NAME = 'paddock-runtime';
export const DASHBOARD_CONFIG_MAP = 'paddock-grafana-dashboard';
/** the label kube-prometheus-stack's Grafana sidecar loads dashboards by (its default) */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;
/** the runtime container's named port (runtime-controller.ts) */
const RUNTIME_PORT_NAME = 'http';

export function monitoringObjects(spec: PlatformSpec): KubeObject[] {
  const monitoring = spec.platform.monitoring;
  if (!monitoring.enabled) return [];
  const labels = { ...componentLabels(MONITORING_NAME, 'monitoring'), ...monitoring.selectorLabels };
  const job = runtimeJob(PADDOCK_SYSTEM_NAMESPACE, MONITORING_NAME);
  const dashboard = paddockDashboard(job);
  return [
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: MONITORING_NAME, namespace: PADDOCK_SYSTEM_NAMESPACE, labels },
      spec: {
        selector: { matchLabels: selectorLabels(RUNTIME_NAME) },
        podMetricsEndpoints: [{ port: RUNTIME_PORT_NAME, path: '/metrics', scheme: 'http', interval: '30s', scrapeTimeout: '10s' }],
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: MONITORING_NAME, namespace: PADDOCK_SYSTEM_NAMESPACE, labels },
      spec: { groups: paddockAlertGroups(job) },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: DASHBOARD_CONFIG_MAP,
        namespace: monitoring.grafanaNamespace ?? PADDOCK_SYSTEM_NAMESPACE,
        labels: { ...MANAGED_BY_LABELS, 'app.kubernetes.io/name': MONITORING_NAME, 'app.kubernetes.io/component': 'monitoring', ...GRAFANA_DASHBOARD_LABEL },
      },
      data: { [DASHBOARD_FILE]: `${JSON.stringify(dashboard, null, 2)}\n` },
    },
  ];
}
