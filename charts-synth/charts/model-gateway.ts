/**
 * The model gateway Paddock runs (`modelGateway.deploy: litellm`, ADR 0024): a LiteLLM proxy in
 * namespace paddock-gateway. Restricted Pod Security, read-only root filesystem with the writable
 * mounts LiteLLM's own Helm chart gives it, probes on its health endpoints, replicas spread with a
 * PodDisruptionBudget, a ClusterIP Service on 4000, a ServiceAccount without a token, its config
 * file in a ConfigMap (models from the stack; keys only as environment references).
 *
 * Its network: default deny; in on 4000 only from team sandboxes and the runtime controller; out
 * only to cluster DNS, its database (the in-cluster Postgres, or RDS in the VPC on 5432) and
 * providers on 443 (and declared apiBase ports) at addresses outside every cluster range.
 *
 * Keys come from Secrets the Pulumi program creates (never rendered): litellm-master-key (master
 * and salt keys), litellm-database (DATABASE_URL) and litellm-provider-keys (one key per
 * providerSecrets name).
 */
import { createHash } from 'node:crypto';
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import type { KubeObject } from '../kube-object.ts';
import {
  GATEWAY_DATABASE_SECRET, GATEWAY_DATABASE_URL_KEY, GATEWAY_MASTER_KEY_KEY, GATEWAY_MASTER_KEY_SECRET, GATEWAY_NAME, GATEWAY_NAMESPACE,
  GATEWAY_PORT, GATEWAY_PROVIDER_KEYS_SECRET, GATEWAY_SALT_KEY_KEY,
} from '../../config/model-gateway.ts';
import { HARNESS_LABEL, PADDOCK_SYSTEM_NAMESPACE, RUNTIME_NAME, TEAM_LABEL } from '../../config/names.ts';
import type { GatewayDeploymentSpec, PlatformSpec } from '../../config/platform-spec.ts';
import { blockedRanges } from '../../config/validate.ts';
import { databaseEgressRule, gatewayDatabaseSetupJob, gatewayDatabaseSetupNetworkPolicy, RDS_CA_DIR, RDS_CA_FILE } from '../builders/gateway-database-setup.ts';
import { componentLabels, selectorLabels } from '../builders/labels.ts';
import { LITELLM_ENV, renderLiteLlmConfig } from '../builders/litellm-config.ts';
import { restrictedNamespace } from '../builders/namespace.ts';
import { allowDnsEgress, defaultDenyAll, ipBlockPeer, networkPolicy, tcpPorts } from '../builders/network-policy.ts';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../builders/security-context.ts';
import { PlatformChart, synthChart } from '../platform-chart.ts';
import { addClusterIpService } from '../workloads/cluster-ip-service.ts';
import { addFieldsBeyondCdk8sPlus } from '../workloads/fields-beyond-cdk8s-plus.ts';
import { addPodDisruptionBudget } from '../workloads/pod-disruption-budget.ts';
import { selectPodsByLabels } from '../workloads/select-by-labels.ts';

const ns = GATEWAY_NAMESPACE;
/** An unprivileged uid the image's files are readable by (Prisma is baked at /opt/prisma for any uid since LiteLLM v1.90.6). */
const GATEWAY_USER = { uid: 10001, gid: 10001 };
/** the runtime image's user, for the init container that copies the RDS CA bundle out of it */
const RUNTIME_USER = { uid: 10001, gid: 10001 };
export const GATEWAY_CONFIG_MAP = 'litellm-config';
export const GATEWAY_CONFIG_KEY = 'config.yaml';
const CONFIG_DIR = '/etc/litellm';
/** The config file's hash on the pod template: a changed model list rolls the pods. */
export const GATEWAY_CONFIG_CHECKSUM_ANNOTATION = 'paddock.dev/config-sha256';
/** Where providers are called: HTTPS, plus any other port a declared apiBase names. */
export function providerPorts(deploy: GatewayDeploymentSpec): number[] {
  const ports = deploy.models.flatMap((m) => (m.apiBase === undefined ? [] : [Number(new URL(m.apiBase).port || 443)]));
  return [...new Set([443, ...ports])].sort((a, b) => a - b);
}

/** Team sandboxes (any harness pod of any team namespace) and the runtime controller. */
export const GATEWAY_CLIENT_PEERS = [
  { namespaceSelector: { matchExpressions: [{ key: TEAM_LABEL, operator: 'Exists' as const }] }, podSelector: { matchExpressions: [{ key: HARNESS_LABEL, operator: 'Exists' as const }] } },
  { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': PADDOCK_SYSTEM_NAMESPACE } }, podSelector: { matchLabels: selectorLabels(RUNTIME_NAME) } },
];

function gatewayNetworkPolicies(spec: PlatformSpec, deploy: GatewayDeploymentSpec): KubeObject[] {
  const providers = ipBlockPeer('0.0.0.0/0', blockedRanges(spec.platform.network));
  return [
    defaultDenyAll(ns),
    allowDnsEgress(ns),
    networkPolicy(ns, GATEWAY_NAME, {
      podSelector: { matchLabels: selectorLabels(GATEWAY_NAME) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: GATEWAY_CLIENT_PEERS, ports: tcpPorts([GATEWAY_PORT]) }],
      egress: [databaseEgressRule(spec), { to: [providers], ports: tcpPorts(providerPorts(deploy)) }],
    }, `Model gateway: in on ${GATEWAY_PORT} from team sandboxes and the runtime controller only; out to its database and to model providers on ${providerPorts(deploy).join(', ')} outside the cluster's networks.`),
  ];
}

function addGatewayWorkload(chart: PlatformChart, spec: PlatformSpec, deploy: GatewayDeploymentSpec): void {
  const rds = spec.platform.database.mode === 'external';
  const labels = componentLabels(GATEWAY_NAME, 'model-gateway');
  const selector = selectorLabels(GATEWAY_NAME);
  const id = (kind: string, name = GATEWAY_NAME) => PlatformChart.constructIdOf(kind, ns, name);
  const account = new kplus.ServiceAccount(chart, id('ServiceAccount'), {
    metadata: { name: GATEWAY_NAME, namespace: ns, labels: { ...labels } },
    automountToken: false,
  });
  const configYaml = renderLiteLlmConfig(deploy);
  const config = new kplus.ConfigMap(chart, id('ConfigMap', GATEWAY_CONFIG_MAP), {
    metadata: { name: GATEWAY_CONFIG_MAP, namespace: ns, labels: { ...labels } },
    data: { [GATEWAY_CONFIG_KEY]: configYaml },
  });
  const secret = (name: string) => kplus.Secret.fromSecretName(chart, `${id('Deployment')}-secret-${name}`, name);
  const masterKeys = secret(GATEWAY_MASTER_KEY_SECRET);
  const providerKeys = secret(GATEWAY_PROVIDER_KEYS_SECRET);
  const volume = (name: string, sizeMiB: number) => kplus.Volume.fromEmptyDir(chart, `${id('Deployment')}-volume-${name}`, name, { sizeLimit: Size.mebibytes(sizeMiB) });
  const caVolume = volume('rds-ca', 4);
  const probe = (path: string, periodSeconds: number, failureThreshold: number) =>
    kplus.Probe.fromHttpGet(path, { port: GATEWAY_PORT, periodSeconds: Duration.seconds(periodSeconds), timeoutSeconds: Duration.seconds(5), failureThreshold });
  const deployment = new kplus.Deployment(chart, id('Deployment'), {
    metadata: { name: GATEWAY_NAME, namespace: ns, labels: { ...labels } },
    select: false,
    podMetadata: { labels: { ...labels }, annotations: { [GATEWAY_CONFIG_CHECKSUM_ANNOTATION]: createHash('sha256').update(configYaml).digest('hex') } },
    replicas: deploy.replicas,
    strategy: kplus.DeploymentStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.absolute(0), maxSurge: kplus.PercentOrAbsolute.absolute(1) }),
    serviceAccount: account,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurity(GATEWAY_USER),
    // LiteLLM's Helm chart: in-flight streams get time to finish on shutdown
    terminationGracePeriod: Duration.seconds(90),
    containers: [{
      name: 'litellm',
      image: deploy.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      // the image's entrypoint runs the proxy (and its Prisma migrations); these are its arguments
      args: ['--config', `${CONFIG_DIR}/${GATEWAY_CONFIG_KEY}`, '--port', String(GATEWAY_PORT)],
      ports: [{ name: 'http', number: GATEWAY_PORT, protocol: kplus.Protocol.TCP }],
      envVariables: {
        [LITELLM_ENV.masterKey]: kplus.EnvValue.fromSecretValue({ secret: masterKeys, key: GATEWAY_MASTER_KEY_KEY }),
        [LITELLM_ENV.saltKey]: kplus.EnvValue.fromSecretValue({ secret: masterKeys, key: GATEWAY_SALT_KEY_KEY }),
        [LITELLM_ENV.databaseUrl]: kplus.EnvValue.fromSecretValue({ secret: secret(GATEWAY_DATABASE_SECRET), key: GATEWAY_DATABASE_URL_KEY }),
        ...Object.fromEntries(deploy.providerSecrets.map((name) => [name, kplus.EnvValue.fromSecretValue({ secret: providerKeys, key: name })])),
        // no .env files, no admin UI (keys are Paddock's to manage), the model cost map of the image (no download at start)
        LITELLM_MODE: kplus.EnvValue.fromValue('PRODUCTION'),
        DISABLE_ADMIN_UI: kplus.EnvValue.fromValue('True'),
        LITELLM_LOCAL_MODEL_COST_MAP: kplus.EnvValue.fromValue('True'),
        LITELLM_LOG: kplus.EnvValue.fromValue('INFO'),
      },
      // rendered verbatim as a field beyond cdk8s-plus; {} keeps cdk8s-plus from adding its defaults
      resources: {},
      // first start runs the database migrations: liveness only counts once readiness has passed once
      startup: probe('/health/readiness', 10, 30),
      readiness: probe('/health/readiness', 10, 3),
      liveness: probe('/health/liveliness', 15, 5),
      securityContext: restrictedContainerSecurity(GATEWAY_USER),
      volumeMounts: [
        { path: CONFIG_DIR, readOnly: true, volume: kplus.Volume.fromConfigMap(chart, `${id('Deployment')}-volume-config`, config, { name: 'config' }) },
        // the writable paths LiteLLM's Helm chart mounts for a read-only root filesystem
        { path: '/tmp', volume: volume('tmp', 512) },
        { path: '/.cache', volume: volume('cache', 512) },
        { path: '/.npm', volume: volume('npm', 512) },
        // RDS: Prisma verifies the server against the RDS CA bundle (DATABASE_URL's sslcert)
        ...(rds ? [{ path: RDS_CA_DIR, readOnly: true, volume: caVolume }] : []),
      ],
    }],
    // RDS: the CA bundle, copied out of the runtime image (its build checks the bundle's sha256)
    initContainers: rds ? [{
      name: 'rds-ca-bundle',
      image: spec.platform.runtime.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['cp', RDS_CA_FILE, `/ca/${RDS_CA_FILE.split('/').at(-1)}`],
      resources: { cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(32) } },
      securityContext: restrictedContainerSecurity(RUNTIME_USER),
      volumeMounts: [{ path: '/ca', volume: caVolume }],
    }] : [],
  });
  selectPodsByLabels(deployment, selector);
  addFieldsBeyondCdk8sPlus(deployment, {
    spec: { revisionHistoryLimit: 5 },
    pod: {
      seccompProfile: { type: 'RuntimeDefault' },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } } },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } } },
      ],
    },
    containers: {
      litellm: {
        resources: { requests: { ...deploy.resources.requests }, limits: { ...deploy.resources.limits } },
        terminationMessagePolicy: 'FallbackToLogsOnError',
        probePortNames: { livenessProbe: 'http', readinessProbe: 'http', startupProbe: 'http' },
      },
    },
  });
  addClusterIpService(chart, { namespace: ns, name: GATEWAY_NAME, labels, selector, port: { name: 'http', port: GATEWAY_PORT } });
  addPodDisruptionBudget(deployment, labels, deploy.replicas > 1 ? { minAvailable: deploy.replicas - 1 } : { maxUnavailable: 1 });
}

/** The gateway's objects; nothing when the stack's gateway is not Paddock's to run. */
export function addModelGateway(chart: PlatformChart, spec: PlatformSpec): void {
  const deploy = spec.platform.modelGateway.deploy;
  if (!deploy) return;
  chart.addObjects([restrictedNamespace(ns), ...gatewayNetworkPolicies(spec, deploy)]);
  chart.addObjects([gatewayDatabaseSetupNetworkPolicy(spec), gatewayDatabaseSetupJob(spec)]);
  addGatewayWorkload(chart, spec, deploy);
}

/** The chart's objects as rendered; none without `modelGateway.deploy`. */
export function modelGatewayObjects(spec: PlatformSpec): KubeObject[] {
  if (!spec.platform.modelGateway.deploy) return [];
  return synthChart('model-gateway', (chart) => addModelGateway(chart, spec));
}
