/**
 * The whole platform of one stack: the cluster (kind, or VPC + EKS), the database (in-cluster
 * Postgres credentials, or RDS), the API tokens, the team Secrets, and the synthesized charts
 * applied in order. Takes already validated inputs: nothing here can fail on config.
 */
import * as aws from '@pulumi/aws';
import type * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { CLUSTER_BOOTSTRAP_CHART, synthesizeStack } from '../charts-synth/synthesize.ts';
import type { SynthesizedChart } from '../charts-synth/synthesized-chart.ts';
import { DATABASE_SECRET, DATABASE_SECRET_URL_KEY, PADDOCK_SYSTEM_NAMESPACE, POSTGRES_PORT, RUNTIME_NAME, RUNTIME_PORT } from '../config/names.ts';
import type { TeamSpec } from '../config/platform-spec.ts';
import { EksCluster } from './aws/eks-cluster.ts';
import { Network } from './aws/network.ts';
import { RDS_CA_BUNDLE } from './aws/rds-ca-bundle.ts';
import { RdsPostgres } from './aws/rds-postgres.ts';
import type { ProgramInputs } from './inputs/program-inputs.ts';
import { CALICO } from './kind/calico.ts';
import { kindStackImages } from './kind/images.ts';
import { KindCluster } from './kind/kind-cluster.ts';
import { localImageIds } from './kind/local-images.ts';
import { SynthesizedCharts, type ManagedSecret, type ProgramObject } from './kubernetes/synthesized-charts.ts';
import { RuntimePodSecurity } from './aws/runtime-pod-security.ts';
import { ApiTokens } from './secrets/api-tokens.ts';
import { databaseUrl } from './secrets/database-url.ts';
import { InClusterDatabaseCredentials } from './secrets/in-cluster-database.ts';
import { teamEnvironmentSecrets } from './secrets/team-environment.ts';
import { GatewayPodSecurity } from './aws/gateway-pod-security.ts';
import { ModelGatewayKeys } from './secrets/model-gateway-keys.ts';
import { IN_CLUSTER_DATABASE_PORT, inClusterDatabaseHost } from './secrets/database-url.ts';
import { providerPorts } from '../charts-synth/charts/model-gateway.ts';

export interface PlatformArgs {
  readonly inputs: ProgramInputs;
  /** a team's secret values (from `requireSecretObject`) */
  readonly teamSecrets: (team: TeamSpec) => pulumi.Output<Record<string, string>>;
  /** the in-cluster gateway's provider keys by name (from `requireSecretObject`) */
  readonly gatewaySecrets?: (names: readonly string[]) => pulumi.Output<Record<string, string>>;
}

/** Stack output names of the per-team API tokens. */
export function teamTokenOutput(team: string): string {
  return `teamApiToken-${team}`;
}

interface Cluster {
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;
  readonly ready: readonly pulumi.Resource[];
  readonly databaseSecrets: readonly ManagedSecret[];
  /** objects only the program can make, applied in order with the charts (the runtime's SecurityGroupPolicy) */
  readonly programObjects: readonly ProgramObject[];
  readonly outputs: Readonly<Record<string, pulumi.Input<unknown>>>;
  /** where the gateway Paddock runs keeps its database (host, port, TLS) */
  readonly gatewayDatabase: ConstructorParameters<typeof ModelGatewayKeys>[1]['database'];
}

export class PaddockPlatform extends pulumi.ComponentResource {
  /** what the program exports: secrets stay Pulumi secrets */
  readonly stackOutputs: Readonly<Record<string, pulumi.Input<unknown>>>;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:index:Platform', name, {}, opts);
    const { spec, containerEnv, envFile } = args.inputs;
    const clusterName = spec.platform.clusterName;
    const tags = { 'paddock.dev/stack': spec.stack, 'paddock.dev/cluster': clusterName, 'paddock.dev/managed-by': 'pulumi' };

    const charts = synthesizeStack(spec);
    // on EKS, kube-system's NetworkPolicies go with the cluster itself, before its nodes (strict mode)
    const bootstrapChart = charts.find((c) => c.name === CLUSTER_BOOTSTRAP_CHART);
    const cluster = spec.platform.environment === 'kind' ? this.kind(args, charts) : this.eks(args, tags, bootstrapChart);
    const tokens = new ApiTokens('api-tokens', { teams: spec.teams.map((t) => t.name) }, { parent: this });
    const teamSecrets = spec.teams.flatMap((team) => teamEnvironmentSecrets(team, containerEnv, args.teamSecrets(team), envFile));
    // the gateway Paddock runs (ADR 0024): its keys, every team's gateway key, provider keys and database credentials
    const deploy = spec.platform.modelGateway.deploy;
    const gatewayKeys = deploy
      ? new ModelGatewayKeys('model-gateway-keys', { teams: spec.teams, providerKeys: (args.gatewaySecrets ?? (() => pulumi.secret<Record<string, string>>({})))(deploy.providerSecrets), database: cluster.gatewayDatabase }, { parent: this })
      : undefined;

    new SynthesizedCharts(
      'kubernetes',
      {
        charts: charts.filter((c) => c !== bootstrapChart),
        secrets: [...cluster.databaseSecrets, tokens.hashesSecret, ...teamSecrets, ...(gatewayKeys?.secrets ?? [])],
        programObjects: cluster.programObjects,
        provider: cluster.provider,
        clusterReady: cluster.ready,
      },
      { parent: this },
    );

    this.stackOutputs = {
      stack: spec.stack,
      environment: spec.platform.environment,
      clusterName,
      ...cluster.outputs,
      kubeconfig: cluster.kubeconfig,
      runtimeService: `${RUNTIME_NAME}.${PADDOCK_SYSTEM_NAMESPACE}.svc:${RUNTIME_PORT}`,
      modelGatewayUrl: spec.platform.modelGateway.url,
      teamNamespaces: spec.teams.map((t) => t.namespace),
      adminApiToken: tokens.adminToken,
      ...Object.fromEntries(Object.entries(tokens.teamTokens).map(([team, token]) => [teamTokenOutput(team), token])),
    };
    this.registerOutputs({ clusterName, environment: spec.platform.environment, teams: spec.teams.map((t) => t.name) });
  }

  private kind(args: PlatformArgs, charts: readonly SynthesizedChart[]): Cluster {
    const spec = args.inputs.spec;
    const images = kindStackImages(spec, charts, CALICO.images).map((i) => i.image);
    const kind = new KindCluster(spec.platform.clusterName, { spec, charts, localImageIds: localImageIds(images) }, { parent: this });
    const database = new InClusterDatabaseCredentials('database', { parent: this });
    return {
      provider: kind.provider, kubeconfig: kind.kubeconfig, ready: kind.ready, databaseSecrets: database.secrets, programObjects: [], outputs: { kubeContext: kind.context },
      gatewayDatabase: { host: inClusterDatabaseHost(), port: IN_CLUSTER_DATABASE_PORT, tls: 'none' },
    };
  }

  private eks(args: PlatformArgs, tags: Record<string, string>, bootstrapChart: SynthesizedChart | undefined): Cluster {
    const spec = args.inputs.spec;
    const settings = spec.platform.eks!;
    const databaseSpec = spec.platform.database;
    if (databaseSpec.mode !== 'external') throw new Error('an EKS stack uses an external (RDS) database'); // validation guarantees it
    const clusterName = spec.platform.clusterName;
    // The stack file's eks.region decides where everything goes (validation refuses an aws:region
    // that differs), and every AWS resource carries the stack's tags.
    const provider = new aws.Provider('aws', { region: settings.region, defaultTags: { tags } }, { parent: this });
    const opts = { parent: this, providers: [provider] };
    const vpc = new Network('network', { clusterName, eks: settings, tags }, opts);
    const upgradeSupportType = args.inputs.eksUpgradeSupportType ?? 'STANDARD';
    const cluster = new EksCluster(clusterName, { clusterName, eks: settings, upgradeSupportType, network: spec.platform.network, runtimeClasses: spec.platform.runtimeClasses, vpc, tags, ...(bootstrapChart ? { bootstrapChart } : {}) }, opts);
    // security groups for pods: RDS admits the runtime's pods, not the nodes every sandbox shares (ADR 0017)
    const harnessPorts = [...new Set(spec.teams.flatMap((t) => t.harnesses.map((h) => h.definition.port)))].sort((a, b) => a - b);
    const runtimePods = new RuntimePodSecurity('runtime-pods', { clusterName, vpcId: vpc.vpcId, nodeSecurityGroupId: cluster.nodeSecurityGroupId, clusterSecurityGroupId: cluster.clusterSecurityGroupId, harnessPorts, tags }, opts);
    const database = new RdsPostgres('database', { clusterName, database: databaseSpec, production: settings.production, vpc, clientSecurityGroupId: runtimePods.securityGroupId, tags }, opts);
    runtimePods.allowEgressTo('runtime-pods-to-postgres', database.securityGroupId, POSTGRES_PORT, 'PostgreSQL (RDS)');
    const url = pulumi
      .all([database.address, database.port, database.password])
      .apply(([host, port, password]) => databaseUrl({ host, port, user: database.user, password, database: database.database, sslmode: 'verify-full', sslrootcert: RDS_CA_BUNDLE.pathInImage }));
    // the gateway Paddock runs gets its own pod security group, which RDS admits too (ADR 0024)
    const deploy = spec.platform.modelGateway.deploy;
    const gatewayPods = deploy
      ? new GatewayPodSecurity('gateway-pods', { clusterName, vpcId: vpc.vpcId, nodeSecurityGroupId: cluster.nodeSecurityGroupId, runtimeSecurityGroupId: runtimePods.securityGroupId, databaseSecurityGroupId: database.securityGroupId, providerPorts: providerPorts(deploy), tags }, opts)
      : undefined;
    return {
      provider: cluster.provider,
      kubeconfig: cluster.kubeconfig,
      ready: cluster.ready,
      programObjects: [runtimePods.securityGroupPolicy, ...(gatewayPods?.securityGroupPolicies ?? [])],
      gatewayDatabase: { host: database.address, port: database.port, tls: 'verify-full', caFile: RDS_CA_BUNDLE.pathInImage },
      databaseSecrets: [{ namespace: PADDOCK_SYSTEM_NAMESPACE, name: DATABASE_SECRET, stringData: { [DATABASE_SECRET_URL_KEY]: pulumi.secret(url) }, source: 'Pulumi: DATABASE_URL of the RDS instance (TLS, server certificate verified against the RDS CA bundle in the runtime image)' }],
      outputs: {
        region: settings.region,
        vpcId: vpc.vpcId,
        privateSubnetIds: vpc.privateSubnetIds,
        clusterAdminRoleArn: cluster.clusterAdminRoleArn,
        clusterViewerRoleArn: cluster.clusterViewerRoleArn,
        databaseAddress: database.address,
      },
    };
  }
}
