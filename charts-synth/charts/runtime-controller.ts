/**
 * The runtime controller in paddock-system: Deployment, ServiceAccount (token mounted: it
 * calls the Kubernetes API), Service, PodDisruptionBudget, NetworkPolicies, its ConfigMap,
 * and the ClusterRole that team namespaces bind (never bound cluster-wide).
 */
import { createHash } from 'node:crypto';
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { KubeObject } from '../kube-object.ts';
import {
  API_TOKENS_SECRET, DATABASE_SECRET, DATABASE_SECRET_URL_KEY, HARNESS_LABEL, MANAGED_BY_LABELS, PADDOCK_SYSTEM_NAMESPACE,
  POSTGRES_NAME, POSTGRES_PORT, RUNTIME_CONFIG_MAP, RUNTIME_ENV, RUNTIME_NAME, RUNTIME_PORT, TEAM_LABEL,
} from '../../config/names.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { GATEWAY_ADMIN_SECRET } from '../../config/model-gateway.ts';
import { buildRuntimeConfig, RUNTIME_CONFIG_KEY } from '../../config/runtime-config.ts';
import { apiServerEgressRule } from '../builders/api-server.ts';
import { componentLabels, selectorLabels } from '../builders/labels.ts';
import { networkPolicy, tcpPorts } from '../builders/network-policy.ts';
import { modelGatewayEgress } from '../builders/team-network-policies.ts';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../builders/security-context.ts';
import { RUNTIME_CLAIM_VERBS, RUNTIME_SANDBOX_CLAIMS_ROLE } from '../builders/team-rbac.ts';
import { waiverAnnotation } from '../builders/waiver.ts';
import { PlatformChart, synthChart } from '../platform-chart.ts';
import { addClusterIpService } from '../workloads/cluster-ip-service.ts';
import { addFieldsBeyondCdk8sPlus } from '../workloads/fields-beyond-cdk8s-plus.ts';
import { addPodDisruptionBudget } from '../workloads/pod-disruption-budget.ts';
import { selectPodsByLabels } from '../workloads/select-by-labels.ts';

const RUNTIME_USER = { uid: 10001, gid: 10001 };
const CONFIG_DIR = '/etc/paddock/config';
const TOKENS_DIR = '/etc/paddock/tokens';
/** Secret paddock-gateway-admin (master key, team keys) for the gateway key reconciler (ADR 0025) */
const GATEWAY_ADMIN_DIR = '/etc/paddock/gateway-admin';
const ns = PADDOCK_SYSTEM_NAMESPACE;

function databaseEgress(spec: PlatformSpec): INetworkPolicyEgressRule {
  if (spec.platform.database.mode === 'in-cluster') {
    return { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': POSTGRES_NAME } } }], ports: tcpPorts([POSTGRES_PORT]) };
  }
  // RDS lives in the VPC's private subnets
  return { to: [{ ipBlock: { cidr: spec.platform.network.nodeCidr } }], ports: tcpPorts([POSTGRES_PORT]) };
}

/** The gateway Paddock runs: the runtime registers each team's key through its admin API (ADR 0024). */
function gatewayEgress(spec: PlatformSpec): INetworkPolicyEgressRule[] {
  return spec.platform.modelGateway.deploy ? [modelGatewayEgress(spec.platform)] : [];
}

/** The OTLP collector the runtime exports traces to (runtime.tracing, ADR 0026): its pods, on the endpoint's port. */
function collectorEgress(spec: PlatformSpec): INetworkPolicyEgressRule[] {
  const tracing = spec.platform.runtime.tracing;
  if (!tracing) return [];
  return [{
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': tracing.collectorNamespace } }, podSelector: { matchLabels: { ...tracing.collectorPodLabels } } }],
    ports: tcpPorts([collectorPort(tracing.endpoint)]),
  }];
}

/** The endpoint URL's port, or its scheme's (an OTLP/HTTP collector usually listens on 4318: say so in the URL). */
export function collectorPort(endpoint: string): number {
  const url = new URL(endpoint);
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** OTEL_* of the runtime container: exactly the standard variables runtime/telemetry reads. */
function tracingEnv(spec: PlatformSpec): Record<string, kplus.EnvValue> {
  const tracing = spec.platform.runtime.tracing;
  if (!tracing) return {};
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: kplus.EnvValue.fromValue(tracing.endpoint),
    OTEL_SERVICE_NAME: kplus.EnvValue.fromValue('paddock-runtime'),
    OTEL_RESOURCE_ATTRIBUTES: kplus.EnvValue.fromValue(`paddock.stack=${spec.stack}`),
    OTEL_TRACES_SAMPLER: kplus.EnvValue.fromValue('parentbased_traceidratio'),
    OTEL_TRACES_SAMPLER_ARG: kplus.EnvValue.fromValue(String(tracing.sampleRatio)),
  };
}

function harnessPorts(spec: PlatformSpec): number[] {
  return [...new Set(spec.teams.flatMap((t) => t.harnesses.map((h) => h.definition.port)))].sort((a, b) => a - b);
}

function runtimeNetworkPolicies(spec: PlatformSpec): KubeObject[] {
  const ports = harnessPorts(spec);
  const sandboxEgress: INetworkPolicyEgressRule[] = ports.length === 0 ? [] : [{
    to: [{ namespaceSelector: { matchExpressions: [{ key: TEAM_LABEL, operator: 'Exists' }] }, podSelector: { matchExpressions: [{ key: HARNESS_LABEL, operator: 'Exists' }] } }],
    ports: tcpPorts(ports),
  }];
  return [
    networkPolicy(ns, RUNTIME_NAME, {
      podSelector: { matchLabels: selectorLabels(RUNTIME_NAME) },
      policyTypes: ['Ingress', 'Egress'],
      // The API authenticates every session call with a bearer token; probes and /metrics expose no session data.
      ingress: [{ ports: tcpPorts([RUNTIME_PORT]) }],
      egress: [apiServerEgressRule(spec.platform.network), databaseEgress(spec), ...sandboxEgress, ...gatewayEgress(spec), ...collectorEgress(spec)],
    }, `Runtime controller: API port in; out to the Kubernetes API, its database${spec.platform.modelGateway.deploy ? ', the model gateway (team keys)' : ''}${spec.platform.runtime.tracing ? ', the OTLP trace collector' : ''} and team sandboxes on harness ports.`),
  ];
}

/** The runtime reads its config at start-up: a change of config.json rolls the Deployment. */
export const CONFIG_CHECKSUM_ANNOTATION = 'paddock.dev/config-sha256';

function runtimeConfigJson(spec: PlatformSpec): string {
  return `${JSON.stringify(buildRuntimeConfig(spec), null, 2)}\n`;
}

/** ServiceAccount (token mounted), ConfigMap, Deployment, Service and PDB: cdk8s-plus-30 constructs (ADR 0022). */
function addRuntimeWorkload(chart: PlatformChart, spec: PlatformSpec): void {
  const runtime = spec.platform.runtime;
  const labels = componentLabels(RUNTIME_NAME, 'runtime-controller');
  const selector = selectorLabels(RUNTIME_NAME);
  const id = (kind: string, name = RUNTIME_NAME) => PlatformChart.constructIdOf(kind, ns, name);
  const account = new kplus.ServiceAccount(chart, id('ServiceAccount'), {
    metadata: { name: RUNTIME_NAME, namespace: ns, labels: { ...labels } },
    automountToken: true,
  });
  const configJson = runtimeConfigJson(spec);
  const config = new kplus.ConfigMap(chart, id('ConfigMap', RUNTIME_CONFIG_MAP), {
    metadata: { name: RUNTIME_CONFIG_MAP, namespace: ns, labels: { ...labels } },
    data: { [RUNTIME_CONFIG_KEY]: configJson },
  });
  const volumeId = (name: string) => `${id('Deployment')}-volume-${name}`;
  const tokenHashes = kplus.Secret.fromSecretName(chart, `${id('Deployment')}-secret-${API_TOKENS_SECRET}`, API_TOKENS_SECRET);
  const database = kplus.Secret.fromSecretName(chart, `${id('Deployment')}-secret-${DATABASE_SECRET}`, DATABASE_SECRET);
  // with the in-cluster gateway, the runtime registers every team's key in it (ADR 0025)
  const gatewayAdmin = spec.platform.modelGateway.deploy ? kplus.Secret.fromSecretName(chart, `${id('Deployment')}-secret-${GATEWAY_ADMIN_SECRET}`, GATEWAY_ADMIN_SECRET) : undefined;
  const deployment = new kplus.Deployment(chart, id('Deployment'), {
    metadata: {
      name: RUNTIME_NAME, namespace: ns, labels: { ...labels },
      annotations: waiverAnnotation('no-service-account-token', 'The runtime controller creates, watches and deletes SandboxClaims through the Kubernetes API (RoleBindings in team namespaces only).'),
    },
    select: false,
    podMetadata: { labels: { ...labels }, annotations: { [CONFIG_CHECKSUM_ANNOTATION]: createHash('sha256').update(configJson).digest('hex') } },
    replicas: runtime.replicas,
    // Never fewer ready replicas than asked for during a rollout: turns are handed over through Postgres leases.
    strategy: kplus.DeploymentStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.absolute(0), maxSurge: kplus.PercentOrAbsolute.absolute(1) }),
    serviceAccount: account,
    automountServiceAccountToken: true,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurity(RUNTIME_USER),
    terminationGracePeriod: Duration.seconds(60),
    containers: [{
      name: 'runtime',
      image: runtime.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: 'http', number: RUNTIME_PORT, protocol: kplus.Protocol.TCP }],
      envVariables: {
        [RUNTIME_ENV.config]: kplus.EnvValue.fromValue(`${CONFIG_DIR}/${RUNTIME_CONFIG_KEY}`),
        [RUNTIME_ENV.tokenHashesDir]: kplus.EnvValue.fromValue(TOKENS_DIR),
        [RUNTIME_ENV.driver]: kplus.EnvValue.fromValue('kubernetes'),
        [RUNTIME_ENV.port]: kplus.EnvValue.fromValue(String(RUNTIME_PORT)),
        [RUNTIME_ENV.podName]: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
        [RUNTIME_ENV.databaseUrl]: kplus.EnvValue.fromSecretValue({ secret: database, key: DATABASE_SECRET_URL_KEY }),
        ...(gatewayAdmin ? { PADDOCK_GATEWAY_ADMIN_DIR: kplus.EnvValue.fromValue(GATEWAY_ADMIN_DIR) } : {}),
        ...tracingEnv(spec),
      },
      // rendered verbatim as a field beyond cdk8s-plus; {} keeps cdk8s-plus from adding its defaults
      resources: {},
      readiness: kplus.Probe.fromHttpGet('/readyz', { port: RUNTIME_PORT, periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(2), failureThreshold: 3 }),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: RUNTIME_PORT, initialDelaySeconds: Duration.seconds(10), periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(2), failureThreshold: 3 }),
      securityContext: restrictedContainerSecurity(RUNTIME_USER),
      volumeMounts: [
        { path: CONFIG_DIR, readOnly: true, volume: kplus.Volume.fromConfigMap(chart, volumeId('config'), config, { name: 'config' }) },
        { path: TOKENS_DIR, readOnly: true, volume: kplus.Volume.fromSecret(chart, volumeId('token-hashes'), tokenHashes, { name: 'token-hashes', defaultMode: 0o440 }) },
        ...(gatewayAdmin ? [{ path: GATEWAY_ADMIN_DIR, readOnly: true, volume: kplus.Volume.fromSecret(chart, volumeId('gateway-admin'), gatewayAdmin, { name: 'gateway-admin', defaultMode: 0o440 }) }] : []),
        { path: '/tmp', volume: kplus.Volume.fromEmptyDir(chart, volumeId('tmp'), 'tmp', { sizeLimit: Size.mebibytes(64) }) },
      ],
    }],
  });
  selectPodsByLabels(deployment, selector);
  addFieldsBeyondCdk8sPlus(deployment, {
    spec: { revisionHistoryLimit: 5 },
    pod: {
      seccompProfile: { type: 'RuntimeDefault' },
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } } },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } } },
      ],
    },
    containers: {
      runtime: {
        resources: { requests: { ...runtime.resources.requests }, limits: { ...runtime.resources.limits } },
        terminationMessagePolicy: 'FallbackToLogsOnError',
        probePortNames: { livenessProbe: 'http', readinessProbe: 'http' },
      },
    },
  });
  addClusterIpService(chart, { namespace: ns, name: RUNTIME_NAME, labels, selector, port: { name: 'http', port: RUNTIME_PORT } });
  const replicas = runtime.replicas;
  addPodDisruptionBudget(deployment, labels, replicas > 1 ? { minAvailable: replicas - 1 } : { maxUnavailable: 1 });
}

/** NetworkPolicies and the claims ClusterRole as core objects; the workload as cdk8s-plus constructs. */
export function addRuntimeController(chart: PlatformChart, spec: PlatformSpec): void {
  chart.addObjects([
    ...runtimeNetworkPolicies(spec),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: RUNTIME_SANDBOX_CLAIMS_ROLE, labels: { ...MANAGED_BY_LABELS } },
      // exactly what runtime/drivers/kubernetes/claim-client.ts calls (the Sandbox is read through the claim's status)
      rules: [{ apiGroups: ['extensions.agents.x-k8s.io'], resources: ['sandboxclaims'], verbs: [...RUNTIME_CLAIM_VERBS] }],
    },
  ]);
  addRuntimeWorkload(chart, spec);
}

/** The chart's objects as rendered (synthesised in an App of their own). */
export function runtimeControllerObjects(spec: PlatformSpec): KubeObject[] {
  return synthChart('runtime', (chart) => addRuntimeController(chart, spec));
}
