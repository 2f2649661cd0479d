/**
 * PlatformSpec: the validated, defaulted, sorted description of one stack. Every builder
 * (synth charts, Pulumi components, runtime config) takes this and nothing else.
 */
import type { HarnessDefinition } from './harness-definition.ts';
import type { EgressRule, Resources } from './schema.ts';

export type Environment = 'kind' | 'eks';

export interface NetworkSpec {
  readonly podCidr: string;
  readonly serviceCidr: string;
  readonly nodeCidr: string;
}

export interface GatewayModelSpec {
  /** what clients ask for (LiteLLM's model_name) */
  readonly name: string;
  /** LiteLLM's provider/model */
  readonly model: string;
  readonly apiBase?: string;
}

/** The gateway Paddock runs in the cluster (namespace paddock-gateway), ADR 0024. */
export interface GatewayDeploymentSpec {
  readonly kind: 'litellm';
  readonly image: string;
  readonly replicas: number;
  readonly resources: Resources;
  /** in config order */
  readonly models: readonly GatewayModelSpec[];
  /** provider-key variable names, sorted; values in paddock:gatewaySecrets */
  readonly providerSecrets: readonly string[];
}

export interface ModelGatewaySpec {
  /** what sandboxes and the runtime call: the in-cluster Service's URL when `deploy` is set */
  readonly url: string;
  readonly port: number;
  readonly cidrs?: readonly string[];
  /** where the gateway's pods run: with `deploy`, paddock-gateway and the gateway's pod labels */
  readonly inCluster?: { readonly namespace: string; readonly podSelector: Readonly<Record<string, string>> };
  /** set when Paddock runs the gateway */
  readonly deploy?: GatewayDeploymentSpec;
}

export interface InClusterDatabaseSpec {
  readonly mode: 'in-cluster';
  readonly image: string;
  readonly storage: string;
  readonly storageClassName?: string;
  readonly resources: Resources;
}

export interface ExternalDatabaseSpec {
  readonly mode: 'external';
  /** "17" (a major: RDS's default minor) or "17.7" (an exact minor) */
  readonly engineVersion: string;
  readonly autoMinorVersionUpgrade: boolean;
  /** UTC, "ddd:hh24:mi-ddd:hh24:mi" */
  readonly maintenanceWindow: string;
  /** UTC, "hh24:mi-hh24:mi" */
  readonly backupWindow: string;
  readonly instanceClass: string;
  readonly allocatedStorageGb: number;
  readonly backupRetentionDays: number;
  readonly multiAz: boolean;
}

export interface NodeGroupSpec {
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  readonly diskSizeGb: number;
}

export interface VpcRouteSpec {
  readonly cidr: string;
  readonly transitGatewayId: string;
  readonly description?: string;
}

export interface GvisorNodeGroupSpec extends NodeGroupSpec {
  readonly runsc: { readonly release: string; readonly sha512?: { readonly runsc: string; readonly containerdShim: string } };
}

export interface EksSpec {
  readonly region: string;
  readonly kubernetesVersion: string;
  readonly vpcCidr: string;
  readonly availabilityZones: number;
  readonly publicAccessCidrs: readonly string[];
  /** networks admitted on 443 to the private API endpoint (operators, CI) */
  readonly operatorCidrs: readonly string[];
  /** networks the VPC routes to through a transit gateway */
  readonly routes: readonly VpcRouteSpec[];
  readonly nodeGroup: NodeGroupSpec;
  readonly gvisorNodeGroup?: GvisorNodeGroupSpec;
  readonly production: boolean;
}

export interface KindSpec {
  readonly nodeImage: string;
  readonly workers: number;
}

export interface RuntimeSpec {
  readonly image: string;
  readonly replicas: number;
  readonly resources: Resources;
  readonly turnTimeoutSeconds: number;
  readonly sandboxLifetimeHours: number;
  /** days the audit trail keeps its rows (ADR 0027) */
  readonly auditRetentionDays: number;
  /** OpenTelemetry traces to a collector (ADR 0026); undefined: off */
  readonly tracing?: TracingSpec | undefined;
}

export interface TracingSpec {
  /** OTLP/HTTP base URL of the collector */
  readonly endpoint: string;
  readonly collectorNamespace: string;
  readonly collectorPodLabels: Readonly<Record<string, string>>;
  /** 0..1 */
  readonly sampleRatio: number;
}

/** The monitoring chart (ADR 0027): rendered only when enabled. */
export interface MonitoringSpec {
  readonly enabled: boolean;
  /** labels the Prometheus operator selects PodMonitors and PrometheusRules by */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** where the Grafana dashboard ConfigMap goes (default paddock-system) */
  readonly grafanaNamespace?: string | undefined;
}

export interface PlatformSettings {
  readonly environment: Environment;
  readonly clusterName: string;
  readonly agentSandbox: { readonly version: string };
  readonly runtime: RuntimeSpec;
  readonly monitoring: MonitoringSpec;
  readonly modelGateway: ModelGatewaySpec;
  readonly network: NetworkSpec;
  /** RuntimeClasses the cluster provides; a team harness may only name one of these */
  readonly runtimeClasses: readonly string[];
  readonly database: InClusterDatabaseSpec | ExternalDatabaseSpec;
  readonly kind?: KindSpec;
  readonly eks?: EksSpec;
}

export interface TeamHarnessSpec {
  readonly name: string;
  readonly warmPool: number;
  readonly resources: Resources;
  readonly runtimeClassName?: string;
  /** the model name set in the definition's modelEnv variables (unset: the CLI's own default) */
  readonly model?: string;
  readonly definition: HarnessDefinition;
}

export interface TeamSpec {
  readonly name: string;
  readonly namespace: string;
  readonly harnesses: readonly TeamHarnessSpec[];
  readonly quota: { readonly cpu: string; readonly memory: string; readonly maxSandboxes: number };
  readonly egress: readonly EgressRule[];
  /** sorted by name */
  readonly env: Readonly<Record<string, string>>;
  /** sorted */
  readonly secrets: readonly string[];
  /** with the in-cluster gateway: what the team's gateway key may use */
  readonly gateway?: TeamGatewaySpec;
}

export interface TeamGatewaySpec {
  /** gateway model names, sorted (all of the gateway's when the team names none) */
  readonly models: readonly string[];
  /** LiteLLM max_budget (USD) and budget_duration */
  readonly budget?: { readonly maxUsd: number; readonly period: string };
  readonly rpm?: number;
  readonly tpm?: number;
}

export interface PlatformSpec {
  readonly stack: string;
  readonly platform: PlatformSettings;
  /** sorted by name */
  readonly teams: readonly TeamSpec[];
  readonly envFile?: string;
}
