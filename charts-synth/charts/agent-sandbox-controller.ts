/**
 * The kubernetes-sigs/agent-sandbox controller in agent-sandbox-system: pinned upstream image
 * with the extensions controllers on and the webhook server off (our CRDs serve v1beta1 only,
 * conversion None), RBAC trimmed to what it reconciles, leader election through one Lease,
 * and a namespace that admits no traffic in and lets the controller reach only the API
 * server. See ADR 0012.
 */
import { createHash } from 'node:crypto';
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import type { KubeObject } from '../kube-object.ts';
import { AGENT_SANDBOX_NAMESPACE, MANAGED_BY_LABELS } from '../../config/names.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { apiServerEgressRule } from '../builders/api-server.ts';
import { spreadOverNodesAndZones } from '../builders/availability.ts';
import { componentLabels } from '../builders/labels.ts';
import { restrictedNamespace } from '../builders/namespace.ts';
import { allowDnsEgress, defaultDenyAll, networkPolicy } from '../builders/network-policy.ts';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../builders/security-context.ts';
import { waiverAnnotation } from '../builders/waiver.ts';
import { PlatformChart, synthChart } from '../platform-chart.ts';
import { addFieldsBeyondCdk8sPlus } from '../workloads/fields-beyond-cdk8s-plus.ts';
import { addPodDisruptionBudget } from '../workloads/pod-disruption-budget.ts';
import { selectPodsByLabels } from '../workloads/select-by-labels.ts';

export const AGENT_SANDBOX_CONTROLLER = 'agent-sandbox-controller';
export const AGENT_SANDBOX_IMAGE_REPOSITORY = 'registry.k8s.io/agent-sandbox/agent-sandbox-controller';
/** Upstream's ConfigMap, read once at start-up from /etc/sandbox-config/<key>. */
export const AGENT_SANDBOX_CONFIG_MAP = 'agent-sandbox-config';
export const ALLOWED_LABEL_DOMAINS_KEY = 'allowed-label-domains';
/**
 * Label domains a SandboxClaim may put on its pod (additionalPodMetadata). The file replaces
 * upstream's default (sandbox.users.io): only Paddock's runtime creates claims.
 */
export const ALLOWED_LABEL_DOMAINS: readonly string[] = ['paddock.dev'];
/** controller-runtime LeaderElectionID, kept stable by upstream across releases. */
export const LEADER_ELECTION_LEASE = 'a3317529.agent-sandbox.x-k8s.io';
export const CONFIG_CHECKSUM_ANNOTATION = 'paddock.dev/agent-sandbox-config-sha256';
export const METRICS_PORT = 8080;
export const HEALTH_PORT = 8081;

/** Distroless "nonroot" (the ko base image's user). */
const CONTROLLER_USER = { uid: 65532, gid: 65532 };
const CONFIG_DIR = '/etc/sandbox-config';
const ns = AGENT_SANDBOX_NAMESPACE;
const SELECTOR = { app: AGENT_SANDBOX_CONTROLLER } as const;
const FULL_ACCESS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_ACCESS = ['get', 'patch', 'update'];

/**
 * What the controller reconciles, as the upstream README lists it for v0.5.6, minus the
 * webhook-only grants (CRDs, secrets) and minus leases (a Role in its own namespace instead).
 */
export const CONTROLLER_CLUSTER_RULES: readonly IPolicyRule[] = [
  { apiGroups: [''], resources: ['persistentvolumeclaims', 'pods', 'services'], verbs: FULL_ACCESS },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  { apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes'], verbs: FULL_ACCESS },
  { apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes/finalizers', 'sandboxes/status'], verbs: SUBRESOURCE_ACCESS },
  { apiGroups: ['extensions.agents.x-k8s.io'], resources: ['sandboxclaims', 'sandboxtemplates', 'sandboxwarmpools'], verbs: FULL_ACCESS },
  {
    apiGroups: ['extensions.agents.x-k8s.io'],
    // SandboxTemplate has no status subresource
    resources: ['sandboxclaims/finalizers', 'sandboxclaims/status', 'sandboxtemplates/finalizers', 'sandboxwarmpools/finalizers', 'sandboxwarmpools/status'],
    verbs: SUBRESOURCE_ACCESS,
  },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: FULL_ACCESS },
];

/**
 * client-go's Lease lock gets, creates and updates one Lease (release on shutdown is an
 * update). `create` cannot be limited by name; the rest is.
 */
export const LEADER_ELECTION_RULES: readonly IPolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [LEADER_ELECTION_LEASE], verbs: ['get', 'update'] },
];

const CONTROLLER_RESOURCES = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };

/** One replica on kind; two on EKS, the standby taking over the Lease when the leader's node goes. */
function controllerReplicas(spec: PlatformSpec): number {
  return spec.platform.environment === 'eks' ? 2 : 1;
}

function controllerLabels(spec: PlatformSpec): Record<string, string> {
  return componentLabels(AGENT_SANDBOX_CONTROLLER, 'sandbox-controller', { ...SELECTOR, 'app.kubernetes.io/version': spec.platform.agentSandbox.version });
}

function configData(): Record<string, string> {
  return { [ALLOWED_LABEL_DOMAINS_KEY]: ALLOWED_LABEL_DOMAINS.join(',') };
}

/** The controller reads its config only at start-up: a changed ConfigMap must roll the pods. */
function configChecksum(data: Record<string, string>): string {
  const canonical = JSON.stringify(Object.keys(data).sort().map((key) => [key, data[key]]));
  return createHash('sha256').update(canonical).digest('hex');
}

/** The controller's Deployment, ServiceAccount, ConfigMap and (with 2+ replicas) PDB: cdk8s-plus-30 constructs (ADR 0022). */
function addControllerWorkload(chart: PlatformChart, spec: PlatformSpec): void {
  const labels = controllerLabels(spec);
  const replicas = controllerReplicas(spec);
  const id = (kind: string, name: string) => PlatformChart.constructIdOf(kind, ns, name);
  const account = new kplus.ServiceAccount(chart, id('ServiceAccount', AGENT_SANDBOX_CONTROLLER), {
    metadata: { name: AGENT_SANDBOX_CONTROLLER, namespace: ns, labels: { ...labels } },
    automountToken: true,
  });
  const config = new kplus.ConfigMap(chart, id('ConfigMap', AGENT_SANDBOX_CONFIG_MAP), {
    metadata: { name: AGENT_SANDBOX_CONFIG_MAP, namespace: ns, labels: { ...labels } },
    data: configData(),
  });
  const volumeId = (name: string) => `${id('Deployment', AGENT_SANDBOX_CONTROLLER)}-volume-${name}`;
  const deployment = new kplus.Deployment(chart, id('Deployment', AGENT_SANDBOX_CONTROLLER), {
    // The policy reports a mounted token on the workload, so the waiver lives on the Deployment.
    metadata: {
      name: AGENT_SANDBOX_CONTROLLER, namespace: ns, labels: { ...labels },
      annotations: waiverAnnotation('no-service-account-token', 'The agent-sandbox controller reconciles Sandboxes, SandboxClaims, pods, PVCs, Services and NetworkPolicies through the Kubernetes API.'),
    },
    select: false,
    podMetadata: { labels: { ...labels }, annotations: { [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(configData()) } },
    replicas,
    strategy: kplus.DeploymentStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.absolute(0), maxSurge: kplus.PercentOrAbsolute.absolute(1) }),
    serviceAccount: account,
    automountServiceAccountToken: true,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurity(CONTROLLER_USER),
    // upstream releases the Lease and stops within 5 s of SIGTERM
    terminationGracePeriod: Duration.seconds(15),
    containers: [{
      name: AGENT_SANDBOX_CONTROLLER,
      image: `${AGENT_SANDBOX_IMAGE_REPOSITORY}:${spec.platform.agentSandbox.version}`,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: ['--leader-elect=true', '--extensions', '--enable-webhook=false', '--cluster-domain=cluster.local'],
      // The Go runtime would otherwise size itself to the node's cores and be throttled by the CPU limit.
      envVariables: { GOMAXPROCS: kplus.EnvValue.fromResource(kplus.ResourceFieldPaths.CPU_LIMIT, { divisor: '1' }) },
      ports: [
        { name: 'metrics', number: METRICS_PORT, protocol: kplus.Protocol.TCP },
        { name: 'health', number: HEALTH_PORT, protocol: kplus.Protocol.TCP },
      ],
      // rendered verbatim as a field beyond cdk8s-plus; {} keeps cdk8s-plus from adding its defaults
      resources: {},
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: HEALTH_PORT, initialDelaySeconds: Duration.seconds(15), periodSeconds: Duration.seconds(20), timeoutSeconds: Duration.seconds(2), failureThreshold: 3 }),
      readiness: kplus.Probe.fromHttpGet('/readyz', { port: HEALTH_PORT, initialDelaySeconds: Duration.seconds(5), periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(2), failureThreshold: 3 }),
      securityContext: restrictedContainerSecurity(CONTROLLER_USER),
      volumeMounts: [
        { path: CONFIG_DIR, readOnly: true, volume: kplus.Volume.fromConfigMap(chart, volumeId('config'), config, { name: 'config', optional: false }) },
        { path: '/tmp', volume: kplus.Volume.fromEmptyDir(chart, volumeId('tmp'), 'tmp', { sizeLimit: Size.mebibytes(16) }) },
      ],
    }],
  });
  // upstream's selector, so an install made from upstream's manifests can be taken over in place
  selectPodsByLabels(deployment, SELECTOR);
  const eks = spec.platform.eks;
  addFieldsBeyondCdk8sPlus(deployment, {
    spec: { revisionHistoryLimit: 5 },
    pod: {
      seccompProfile: { type: 'RuntimeDefault' },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      ...(replicas > 1 ? { topologySpreadConstraints: spreadOverNodesAndZones({ ...SELECTOR }, { requireDistinctNodes: (eks?.nodeGroup.minSize ?? 1) >= replicas }) } : {}),
    },
    containers: {
      [AGENT_SANDBOX_CONTROLLER]: {
        resources: { requests: { ...CONTROLLER_RESOURCES.requests }, limits: { ...CONTROLLER_RESOURCES.limits } },
        terminationMessagePolicy: 'FallbackToLogsOnError',
        probePortNames: { livenessProbe: 'health', readinessProbe: 'health' },
      },
    },
  });
  // With one replica a PDB either blocks every node drain (minAvailable 1) or protects nothing.
  if (replicas > 1) addPodDisruptionBudget(deployment, labels, { minAvailable: replicas - 1 });
}

function controllerNetworkPolicies(spec: PlatformSpec): KubeObject[] {
  return [
    defaultDenyAll(ns),
    allowDnsEgress(ns),
    networkPolicy(
      ns,
      AGENT_SANDBOX_CONTROLLER,
      {
        podSelector: { matchLabels: { ...SELECTOR } },
        policyTypes: ['Ingress', 'Egress'],
        // Metrics are plain, unauthenticated HTTP: nothing may connect (kubelet probes are not subject to NetworkPolicy).
        ingress: [],
        egress: [apiServerEgressRule(spec.platform.network)],
      },
      'agent-sandbox controller: no ingress (metrics closed); egress to the Kubernetes API server only.',
    ),
  ];
}

/** RBAC, namespace and NetworkPolicies as core objects; the workload as cdk8s-plus constructs. */
export function addAgentSandboxController(chart: PlatformChart, spec: PlatformSpec): void {
  const labels = controllerLabels(spec);
  const leaderElection = `${AGENT_SANDBOX_CONTROLLER}-leader-election`;
  const subject = { kind: 'ServiceAccount', name: AGENT_SANDBOX_CONTROLLER, namespace: ns };
  chart.addObjects([
    restrictedNamespace(ns),
    ...controllerNetworkPolicies(spec),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: AGENT_SANDBOX_CONTROLLER, labels: { ...MANAGED_BY_LABELS, ...SELECTOR } },
      rules: CONTROLLER_CLUSTER_RULES.map((rule) => structuredClone(rule)),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: AGENT_SANDBOX_CONTROLLER, labels: { ...MANAGED_BY_LABELS, ...SELECTOR } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_SANDBOX_CONTROLLER },
      subjects: [{ ...subject }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: leaderElection, namespace: ns, labels },
      rules: LEADER_ELECTION_RULES.map((rule) => structuredClone(rule)),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: leaderElection, namespace: ns, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaderElection },
      subjects: [{ ...subject }],
    },
  ]);
  addControllerWorkload(chart, spec);
}

/** The chart's objects as rendered (synthesised in an App of their own). */
export function agentSandboxControllerObjects(spec: PlatformSpec): KubeObject[] {
  return synthChart('agent-sandbox', (chart) => addAgentSandboxController(chart, spec));
}
