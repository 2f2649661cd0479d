/**
 * The stack config schema: the single source of truth for the `paddock:` namespace of
 * `stacks/Pulumi.<stack>.yaml`. It yields the TypeScript types, the editor JSON Schema and,
 * through `validatePlatformConfig`, the validated PlatformSpec.
 */
import { z } from 'zod';
import { MIN_WINDOW_MINUTES, parseBackupWindow, parseMaintenanceWindow, windowsOverlap } from './maintenance-window.ts';
import { cidr, dns1123Label, dns1123Subdomain, envName, pinnedImage, port, quantity, resources } from './primitives.ts';
import { BUDGET_PERIOD, MODEL_GATEWAY_DEPLOYMENTS, providerKeyOf } from './model-gateway.ts';
import { DEFAULT_KIND_NODE, DEFAULT_LITELLM_IMAGE, DEFAULT_POSTGRES_IMAGE } from './versions/container-images.ts';
import { DEFAULT_EKS_KUBERNETES_VERSION } from './versions/eks-kubernetes-versions.ts';
import { DEFAULT_RDS_POSTGRES_VERSION } from './versions/rds-postgres-versions.ts';

export const SUPPORTED_AGENT_SANDBOX_VERSIONS = ['v0.5.6'] as const;
export const DEFAULT_AGENT_SANDBOX_VERSION = 'v0.5.6';
export const DEFAULT_RUNTIME_IMAGE = 'ghcr.io/paddock-dev/paddock-runtime:0.1.0';
// Versions that follow AWS and upstream releases live as data in config/versions/ (ADR 0015).
export { DEFAULT_POSTGRES_IMAGE };
export const DEFAULT_KIND_NODE_IMAGE = DEFAULT_KIND_NODE.image;
export const DEFAULT_MAINTENANCE_WINDOW = 'sun:03:30-sun:04:30';
export const DEFAULT_BACKUP_WINDOW = '02:00-03:00';

const runtimeSchema = z.strictObject({
  image: pinnedImage.default(DEFAULT_RUNTIME_IMAGE),
  replicas: z.number().int().min(1).max(20).default(2),
  resources: resources.default({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } }),
  /** seconds a turn may run before the runtime aborts it */
  turnTimeoutSeconds: z.number().int().min(10).max(86_400).default(1800),
  /**
   * hours a sandbox claim lives without use: its shutdownTime, pushed out again while its
   * session keeps using it, so a claim the runtime lost track of cannot hold the team's quota
   * for ever (agent-sandbox deletes it then, with its pod and volumes)
   */
  sandboxLifetimeHours: z.number().int().min(1).max(720).default(24),
  /** days the audit trail keeps its rows (ADR 0027); the database refuses to delete rows younger than 30 days */
  auditRetentionDays: z.number().int().min(30).max(3650).default(365),
  /** OpenTelemetry traces of the runtime (ADR 0026): off when unset */
  tracing: z
    .strictObject({
      /** the collector's OTLP/HTTP endpoint, e.g. http://otel-collector.monitoring:4318 (the runtime's OTEL_EXPORTER_OTLP_ENDPOINT) */
      endpoint: z.url({ protocol: /^https?$/, error: (i) => `${JSON.stringify(i.input)} is not an http(s) URL of an OTLP/HTTP collector (e.g. http://otel-collector.monitoring:4318)` }),
      /** the collector's namespace and pod labels: the runtime's NetworkPolicy lets it reach exactly those pods on the endpoint's port */
      collectorNamespace: dns1123Label(),
      collectorPodLabels: z.record(z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'is not a label name'), z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'is not a label value').max(63)).refine((l) => Object.keys(l).length > 0, 'needs at least one label (an empty selector would allow every pod of the namespace)'),
      /** the share of traces kept (parentbased_traceidratio; a caller's sampled traceparent is always followed) */
      sampleRatio: z.number().min(0).max(1).default(1),
    })
    .optional(),
});

const monitoringSchema = z.strictObject({
  /** render the monitoring chart: PodMonitor, PrometheusRule and Grafana dashboard (needs the Prometheus operator's CRDs) */
  enabled: z.boolean().default(false),
  /** labels the Prometheus operator selects PodMonitors and PrometheusRules by (kube-prometheus-stack: release: <its release name>) */
  selectorLabels: z.record(z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'is not a label name'), z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'is not a label value').max(63)).default({}),
  /** the namespace of Grafana's dashboard sidecar (it must watch it); the dashboard ConfigMap goes there */
  grafanaNamespace: dns1123Label().optional(),
});

const gatewayModelSchema = z.strictObject({
  /** the name clients ask for (LiteLLM's model_name); teams[].models lists these */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, 'is not a model name (letters, digits and "._:/-", at most 100 characters)'),
  /** LiteLLM's provider/model, e.g. "anthropic/claude-sonnet-4-5" or "openai/gpt-5" */
  model: z.string().regex(/^[a-z0-9_-]+\/\S+$/, 'is not a LiteLLM model ("<provider>/<model>", e.g. "anthropic/claude-sonnet-4-5")'),
  /** the provider endpoint, when not the provider's public API (an https URL; its address must be reachable over 443) */
  apiBase: z.url({ protocol: /^https$/, error: (i) => `${JSON.stringify(i.input)} is not an https URL` }).optional(),
});

const modelGatewaySchema = z
  .strictObject({
    /** run the gateway in the cluster (namespace paddock-gateway): "litellm" */
    deploy: z.enum(MODEL_GATEWAY_DEPLOYMENTS).optional(),
    /** a gateway Paddock does not run: an OpenAI/Anthropic-compatible endpoint (e.g. a LiteLLM proxy) sandboxes may call */
    url: z.url({ protocol: /^https?$/, error: (i) => `${JSON.stringify(i.input)} is not an http(s) URL` }).optional(),
    /** a gateway outside the cluster: the address ranges it is served from */
    cidrs: z.array(cidr).min(1).optional(),
    /** a gateway inside the cluster: where its pods run */
    inCluster: z
      .strictObject({ namespace: dns1123Label(), podSelector: z.record(z.string(), z.string()).refine((v) => Object.keys(v).length > 0, 'needs at least one label') })
      .optional(),
    /** deploy only: LiteLLM's model_list; teams[].models name these */
    models: z.array(gatewayModelSchema).default([]),
    /** deploy only: the provider-key variables LiteLLM reads (`os.environ/<NAME>`), values in paddock:gatewaySecrets.<NAME> */
    providerSecrets: z.array(envName).default([]),
    /** deploy only */
    image: pinnedImage.default(DEFAULT_LITELLM_IMAGE),
    /** deploy only: pods spread over zones and hosts, with a PodDisruptionBudget */
    replicas: z.number().int().min(1).max(20).default(2),
    /** deploy only */
    resources: resources.default({ requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } }),
  })
  .superRefine((value, ctx) => {
    if ((value.deploy === undefined) === (value.url === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'set exactly one of "deploy: litellm" (Paddock runs the gateway in the cluster) or "url" (a gateway Paddock does not run)' });
      return;
    }
    if (value.deploy !== undefined) {
      for (const key of ['cidrs', 'inCluster'] as const) {
        if (value[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `is only for a gateway Paddock does not run ("url"); with "deploy" NetworkPolicy admits the gateway Paddock renders` });
      }
      if (value.models.length === 0) ctx.addIssue({ code: 'custom', path: ['models'], message: 'needs at least one model for the gateway to serve ({name, model, apiBase?})' });
      const seen = new Map<string, number>();
      value.models.forEach((m, i) => {
        const first = seen.get(m.name);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['models', i, 'name'], message: `${JSON.stringify(m.name)} is already the name of models[${first}]; model names are unique` });
        else seen.set(m.name, i);
      });
      value.models.forEach((m, i) => {
        const key = providerKeyOf(m.model);
        if (key !== undefined && m.apiBase === undefined && !value.providerSecrets.includes(key)) {
          ctx.addIssue({ code: 'custom', path: ['models', i, 'model'], message: `${JSON.stringify(m.model)} reads its provider key from ${key}: add "${key}" to providerSecrets (and set it with \`pulumi config set --secret --path 'paddock:gatewaySecrets.${key}'\`)` });
        }
      });
      value.providerSecrets.forEach((name, i) => {
        if (value.providerSecrets.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['providerSecrets', i], message: `${JSON.stringify(name)} is listed twice` });
      });
      return;
    }
    if ((value.cidrs === undefined) === (value.inCluster === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'set exactly one of "cidrs" (gateway outside the cluster) or "inCluster" (gateway pods in the cluster), so NetworkPolicy can admit it' });
    }
    for (const key of ['models', 'providerSecrets'] as const) {
      if (value[key].length > 0) ctx.addIssue({ code: 'custom', path: [key], message: 'is only used when Paddock runs the gateway ("deploy: litellm"); configure the models of your own gateway there' });
    }
  });

const networkSchema = z.strictObject({
  /** ranges sandboxes must never reach: pods, services, nodes/VPC (API server, database) */
  podCidr: cidr,
  serviceCidr: cidr,
  nodeCidr: cidr,
});

const inClusterDatabase = z.strictObject({
  mode: z.literal('in-cluster'),
  image: pinnedImage.default(DEFAULT_POSTGRES_IMAGE),
  storage: quantity.default('10Gi'),
  storageClassName: dns1123Subdomain.optional(),
  resources: resources.default({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } }),
});

const externalDatabase = z.strictObject({
  mode: z.literal('external'),
  /** a major ("17": RDS's default minor, kept current by automatic minor upgrades) or an exact minor ("17.7") */
  engineVersion: z.string().regex(/^\d+(\.\d+)?$/, 'is not a PostgreSQL engine version (a major such as "17", or a minor such as "17.7")').default(DEFAULT_RDS_POSTGRES_VERSION),
  /** RDS applies new minor versions in the maintenance window (needs a major-only engineVersion) */
  autoMinorVersionUpgrade: z.boolean().default(true),
  /** weekly, UTC, "ddd:hh24:mi-ddd:hh24:mi", at least 30 minutes */
  maintenanceWindow: z.string().default(DEFAULT_MAINTENANCE_WINDOW),
  /** daily automated backups, UTC, "hh24:mi-hh24:mi", at least 30 minutes, apart from the maintenance window */
  backupWindow: z.string().default(DEFAULT_BACKUP_WINDOW),
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/).default('db.t4g.medium'),
  allocatedStorageGb: z.number().int().min(20).max(65536).default(50),
  backupRetentionDays: z.number().int().min(7).max(35).default(14),
  multiAz: z.boolean().default(true),
}).superRefine((value, ctx) => {
  const maintenance = parseMaintenanceWindow(value.maintenanceWindow);
  const backup = parseBackupWindow(value.backupWindow);
  if (typeof maintenance === 'string') ctx.addIssue({ code: 'custom', path: ['maintenanceWindow'], message: maintenance });
  if (typeof backup === 'string') ctx.addIssue({ code: 'custom', path: ['backupWindow'], message: backup });
  if (typeof maintenance !== 'string' && typeof backup !== 'string' && windowsOverlap(maintenance, backup)) {
    ctx.addIssue({ code: 'custom', path: ['backupWindow'], message: `${JSON.stringify(value.backupWindow)} overlaps the maintenance window ${JSON.stringify(value.maintenanceWindow)}; RDS needs them apart (each at least ${MIN_WINDOW_MINUTES} minutes)` });
  }
});

const databaseSchema = z.discriminatedUnion('mode', [inClusterDatabase, externalDatabase], {
  error: (i) => (i.code === 'invalid_union' ? `mode must be "in-cluster" or "external"` : undefined),
});

const vpcRouteSchema = z.strictObject({
  /** the destination: never the VPC itself, the service range or a default route */
  cidr,
  /** a transit gateway (in this account, or shared with it through AWS RAM); the VPC is attached to it */
  transitGatewayId: z.string().regex(/^tgw-[0-9a-f]{8,17}$/, 'is not a transit gateway ID (e.g. "tgw-0123456789abcdef0")'),
  /** why this network is routed; shown in the plan and on the route's tags */
  description: z.string().optional(),
});

const sha512Hex = z.string().regex(/^[0-9a-f]{128}$/, 'is not a SHA-512 checksum (128 lower-case hex digits)');

const gvisorNodeGroupSchema = z.strictObject({
  instanceTypes: z.array(z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/)).min(1).default(['m6i.xlarge']),
  minSize: z.number().int().min(1).default(1),
  desiredSize: z.number().int().min(1).default(2),
  maxSize: z.number().int().min(1).default(6),
  diskSizeGb: z.number().int().min(20).default(100),
  /** the gVisor release the nodes install, and the SHA-512 of its two binaries for the nodes' architecture */
  runsc: z.strictObject({
    /** a directory of https://storage.googleapis.com/gvisor/releases/release/, e.g. "20251006.0" */
    release: z.string().regex(/^\d{8}(\.\d+)?$/, 'is not a gVisor release (e.g. "20251006.0")'),
    /** `scripts/gvisor-checksums.sh <release> <arch>` prints them; `pulumi up` refuses to run without them */
    sha512: z.strictObject({ runsc: sha512Hex, containerdShim: sha512Hex }).optional(),
  }),
});

const eksSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'is not an AWS region (e.g. "eu-west-1")'),
  /** a minor version in config/versions/eks-kubernetes-versions.ts; synth and plan check its support state on the day they run */
  kubernetesVersion: z.string().regex(/^1\.\d+$/, `is not a Kubernetes minor version (e.g. "${DEFAULT_EKS_KUBERNETES_VERSION}")`).default(DEFAULT_EKS_KUBERNETES_VERSION),
  vpcCidr: cidr.default('10.0.0.0/16'),
  availabilityZones: z.number().int().min(2).max(6).default(3),
  /** the API endpoint is private; list CIDRs here to also expose it publicly to those ranges only */
  publicAccessCidrs: z.array(cidr).default([]),
  /**
   * networks `pulumi up` and kubectl run from, admitted on 443 to the private API endpoint; outside
   * the VPC they must be reached over `routes` (eks-reachability.ts explains the first run)
   */
  operatorCidrs: z.array(cidr).default([]),
  /** networks the VPC routes to besides the internet (operators, a private model gateway); the program creates the routes */
  routes: z.array(vpcRouteSchema).default([]),
  /** the node group that runs gVisor sandboxes; used only when platform.runtimeClasses declares "gvisor" */
  gvisorNodeGroup: gvisorNodeGroupSchema.optional(),
  nodeGroup: z
    .strictObject({
      instanceTypes: z.array(z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/)).min(1).default(['m6i.xlarge']),
      minSize: z.number().int().min(1).default(2),
      desiredSize: z.number().int().min(1).default(3),
      maxSize: z.number().int().min(1).default(6),
      diskSizeGb: z.number().int().min(20).default(100),
    })
    .default({ instanceTypes: ['m6i.xlarge'], minSize: 2, desiredSize: 3, maxSize: 6, diskSizeGb: 100 }),
  /** production stacks get deletion protection and final snapshots */
  production: z.boolean().default(false),
});

const kindSchema = z.strictObject({
  nodeImage: pinnedImage.default(DEFAULT_KIND_NODE_IMAGE),
  workers: z.number().int().min(0).max(5).default(1),
});

export const platformSchema = z.strictObject({
  environment: z.enum(['kind', 'eks']),
  clusterName: dns1123Label(40),
  /** the CRDs in charts-synth/crds/ are authored for these releases only */
  agentSandbox: z.strictObject({ version: z.enum(SUPPORTED_AGENT_SANDBOX_VERSIONS).default(DEFAULT_AGENT_SANDBOX_VERSION) }).default({ version: DEFAULT_AGENT_SANDBOX_VERSION }),
  runtime: runtimeSchema.default(() => runtimeSchema.parse({})),
  /** Prometheus and Grafana objects for the runtime (issue 16) */
  monitoring: monitoringSchema.default(() => monitoringSchema.parse({})),
  modelGateway: modelGatewaySchema,
  /** defaults depend on the environment (see defaults.ts) */
  network: networkSchema.partial().optional(),
  /** RuntimeClasses the cluster provides (e.g. "gvisor" on a gVisor node group); teams may use only these */
  runtimeClasses: z.array(dns1123Subdomain).default([]),
  database: databaseSchema.optional(),
  kind: kindSchema.optional(),
  eks: eksSchema.optional(),
});

export const teamHarnessSchema = z.strictObject({
  /** a folder name under harnesses/ */
  name: z.string(),
  /** sandboxes kept warm (started, unclaimed) for fast session start */
  warmPool: z.number().int().min(0).max(100).default(1),
  /** overrides the harness definition's default resources */
  resources: resources.optional(),
  /** e.g. "gvisor" or "kata" for kernel-level isolation */
  runtimeClassName: dns1123Subdomain.optional(),
  /** the gateway model the agent asks for (set in the harness's modelEnv variables); one of the team's models */
  model: z.string().min(1).optional(),
});

export const egressRuleSchema = z.strictObject({
  cidr,
  ports: z.array(port).min(1),
  protocol: z.enum(['TCP', 'UDP']).default('TCP'),
  /** why this destination is allowed; shown in the rendered NetworkPolicy */
  description: z.string().optional(),
});

export const teamSchema = z.strictObject({
  name: dns1123Label(40),
  harnesses: z.array(teamHarnessSchema).min(1),
  quota: z.strictObject({
    /** total CPU (limits) of the team's sandboxes */
    cpu: quantity,
    /** total memory (limits) of the team's sandboxes */
    memory: quantity,
    /** sandboxes at once, warm ones included */
    maxSandboxes: z.number().int().min(1).max(1000),
  }),
  egress: z.array(egressRuleSchema).default([]),
  /** non-secret environment for the team's sandboxes */
  env: z.record(envName, z.string()).default({}),
  /** names of the team's secrets; values are set with `pulumi config set --secret` */
  secrets: z.array(envName).default([]),
  /** in-cluster gateway only: the gateway models the team's key may use (default: all of them) */
  models: z.array(z.string().min(1)).min(1).optional(),
  /** in-cluster gateway only: the team's spend limit, reset every period (LiteLLM's max_budget and budget_duration) */
  budget: z
    .strictObject({
      maxUsd: z.number().positive(),
      /** "30d", "7d", "1d", "12h", "1mo" */
      period: z.string().regex(BUDGET_PERIOD, 'is not a budget period (a number and s, m, h, d or mo, e.g. "30d", "1mo")'),
    })
    .optional(),
  /** in-cluster gateway only: requests per minute for the team's key */
  rpm: z.number().int().min(1).optional(),
  /** in-cluster gateway only: tokens per minute for the team's key */
  tpm: z.number().int().min(1).optional(),
});

export const paddockConfigSchema = z.strictObject({
  'paddock:platform': platformSchema,
  'paddock:teams': z.array(teamSchema).default([]),
  /** secret values, read by the Pulumi program only (never by synth) */
  'paddock:teamSecrets': z.record(z.string(), z.unknown()).optional(),
  /** the in-cluster gateway's provider keys (modelGateway.providerSecrets), secret values read by the Pulumi program only */
  'paddock:gatewaySecrets': z.record(z.string(), z.unknown()).optional(),
  /** path of the .env file with CONTAINER_ENV_* variables, relative to the project root */
  'paddock:envFile': z.string().optional(),
  /** the AWS provider's region: optional, and when set it must equal paddock:platform.eks.region (one source of truth) */
  'aws:region': z.string().optional(),
});

/** The database and kind settings a stack gets when it names none: the schema's own defaults, never a second copy. */
export const defaultDatabase = (mode: 'in-cluster' | 'external'): z.output<typeof databaseSchema> => databaseSchema.parse({ mode });
export const defaultKind = (): z.output<typeof kindSchema> => kindSchema.parse({});

export type PlatformInput = z.input<typeof platformSchema>;
export type TeamInput = z.input<typeof teamSchema>;
export type PaddockConfigInput = z.input<typeof paddockConfigSchema>;
export type EgressRule = z.output<typeof egressRuleSchema>;
export type Resources = z.output<typeof resources>;
