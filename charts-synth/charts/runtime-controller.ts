/**
 * The runtime controller in paddock-system: Deployment, ServiceAccount (token mounted: it
 * calls the Kubernetes API), Service, PodDisruptionBudget, NetworkPolicies, its ConfigMap,
 * and the ClusterRole that team namespaces bind (never bound cluster-wide).
 */
import { createHash } from 'node:crypto';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { KubeObject } from '../kube-object.ts';
import {
  API_TOKENS_SECRET, DATABASE_SECRET, DATABASE_SECRET_URL_KEY, HARNESS_LABEL, MANAGED_BY_LABELS, PADDOCK_SYSTEM_NAMESPACE,
  POSTGRES_NAME, POSTGRES_PORT, RUNTIME_CONFIG_MAP, RUNTIME_ENV, RUNTIME_NAME, RUNTIME_PORT, TEAM_LABEL,
} from '../../config/names.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { buildRuntimeConfig, RUNTIME_CONFIG_KEY } from '../../config/runtime-config.ts';
import { apiServerEgressRule } from '../builders/api-server.ts';
import { componentLabels, selectorLabels } from '../builders/labels.ts';
import { networkPolicy, tcpPorts } from '../builders/network-policy.ts';
import { assertValidPodTemplate } from '../builders/object-validation.ts';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../builders/security-context.ts';
import { RUNTIME_CLAIM_VERBS, RUNTIME_SANDBOX_CLAIMS_ROLE } from '../builders/team-rbac.ts';
import { waiverAnnotation } from '../builders/waiver.ts';
import { clusterIpService } from '../builders/service.ts';
import { serviceAccount } from '../builders/service-account.ts';

const RUNTIME_USER = { uid: 10001, gid: 10001 };
const CONFIG_DIR = '/etc/paddock/config';
const TOKENS_DIR = '/etc/paddock/tokens';
const ns = PADDOCK_SYSTEM_NAMESPACE;

function databaseEgress(spec: PlatformSpec): INetworkPolicyEgressRule {
  if (spec.platform.database.mode === 'in-cluster') {
    return { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': POSTGRES_NAME } } }], ports: tcpPorts([POSTGRES_PORT]) };
  }
  // RDS lives in the VPC's private subnets
  return { to: [{ ipBlock: { cidr: spec.platform.network.nodeCidr } }], ports: tcpPorts([POSTGRES_PORT]) };
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
      egress: [apiServerEgressRule(spec.platform.network), databaseEgress(spec), ...sandboxEgress],
    }, 'Runtime controller: API port in; out to the Kubernetes API, its database and team sandboxes on harness ports.'),
  ];
}

/** The runtime reads its config at start-up: a change of config.json rolls the Deployment. */
export const CONFIG_CHECKSUM_ANNOTATION = 'paddock.dev/config-sha256';

function runtimeConfigJson(spec: PlatformSpec): string {
  return `${JSON.stringify(buildRuntimeConfig(spec), null, 2)}\n`;
}

function runtimePodTemplate(spec: PlatformSpec): IPodTemplateSpec {
  const runtime = spec.platform.runtime;
  const container: IContainer = {
    name: 'runtime',
    image: runtime.image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: RUNTIME_PORT, protocol: 'TCP' }],
    env: [
      { name: RUNTIME_ENV.config, value: `${CONFIG_DIR}/${RUNTIME_CONFIG_KEY}` },
      { name: RUNTIME_ENV.tokenHashesDir, value: TOKENS_DIR },
      { name: RUNTIME_ENV.driver, value: 'kubernetes' },
      { name: RUNTIME_ENV.port, value: String(RUNTIME_PORT) },
      { name: RUNTIME_ENV.podName, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: RUNTIME_ENV.databaseUrl, valueFrom: { secretKeyRef: { name: DATABASE_SECRET, key: DATABASE_SECRET_URL_KEY } } },
    ],
    resources: { requests: { ...runtime.resources.requests }, limits: { ...runtime.resources.limits } },
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    securityContext: restrictedContainerSecurityContext(RUNTIME_USER),
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'token-hashes', mountPath: TOKENS_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  const labels = selectorLabels(RUNTIME_NAME);
  return {
    metadata: {
      labels: componentLabels(RUNTIME_NAME, 'runtime-controller'),
      annotations: { [CONFIG_CHECKSUM_ANNOTATION]: createHash('sha256').update(runtimeConfigJson(spec)).digest('hex') },
    },
    spec: {
      serviceAccountName: RUNTIME_NAME,
      automountServiceAccountToken: true,
      enableServiceLinks: false,
      securityContext: restrictedPodSecurityContext(RUNTIME_USER),
      terminationGracePeriodSeconds: 60,
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
      ],
      containers: [container],
      volumes: [
        { name: 'config', configMap: { name: RUNTIME_CONFIG_MAP } },
        { name: 'token-hashes', secret: { secretName: API_TOKENS_SECRET, defaultMode: 0o440 } },
        { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      ],
    },
  };
}

export function runtimeControllerObjects(spec: PlatformSpec): KubeObject[] {
  const labels = componentLabels(RUNTIME_NAME, 'runtime-controller');
  const podTemplate = runtimePodTemplate(spec);
  assertValidPodTemplate(`Deployment ${ns}/${RUNTIME_NAME}`, podTemplate);
  const replicas = spec.platform.runtime.replicas;
  return [
    ...runtimeNetworkPolicies(spec),
    serviceAccount(ns, RUNTIME_NAME, labels, true),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: RUNTIME_SANDBOX_CLAIMS_ROLE, labels: { ...MANAGED_BY_LABELS } },
      // exactly what runtime/drivers/kubernetes/claim-client.ts calls (the Sandbox is read through the claim's status)
      rules: [{ apiGroups: ['extensions.agents.x-k8s.io'], resources: ['sandboxclaims'], verbs: [...RUNTIME_CLAIM_VERBS] }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: RUNTIME_CONFIG_MAP, namespace: ns, labels },
      data: { [RUNTIME_CONFIG_KEY]: runtimeConfigJson(spec) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: RUNTIME_NAME, namespace: ns, labels,
        annotations: waiverAnnotation('no-service-account-token', 'The runtime controller creates, watches and deletes SandboxClaims through the Kubernetes API (RoleBindings in team namespaces only).'),
      },
      spec: {
        replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(RUNTIME_NAME) },
        // Never fewer ready replicas than asked for during a rollout: turns are handed over through Postgres leases.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: podTemplate,
      },
    },
    clusterIpService(ns, RUNTIME_NAME, labels, { name: 'http', port: RUNTIME_PORT }),
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: RUNTIME_NAME, namespace: ns, labels },
      spec: { ...(replicas > 1 ? { minAvailable: replicas - 1 } : { maxUnavailable: 1 }), selector: { matchLabels: selectorLabels(RUNTIME_NAME) } },
    },
  ];
}
