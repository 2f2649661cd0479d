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

export interface ModelGatewaySpec {
  readonly url: string;
  readonly port: number;
  readonly cidrs?: readonly string[];
  readonly inCluster?: { readonly namespace: string; readonly podSelector: Readonly<Record<string, string>> };
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
}

export interface PlatformSettings {
  readonly environment: Environment;
  readonly clusterName: string;
  readonly agentSandbox: { readonly version: string };
  readonly runtime: RuntimeSpec;
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
}

export interface PlatformSpec {
  readonly stack: string;
  readonly platform: PlatformSettings;
  /** sorted by name */
  readonly teams: readonly TeamSpec[];
  readonly envFile?: string;
}
