/**
 * RDS PostgreSQL for EKS stacks (ADR 0011):
 * - in a subnet group of the private subnets, not publicly accessible;
 * - a security group with one rule: TCP 5432 from the runtime pods' security group (security
 *   groups for pods, runtime-pod-security.ts): sandboxes share the nodes' group and never get
 *   in, whatever their NetworkPolicies say;
 * - storage encrypted with a customer-managed KMS key (also used for Performance Insights);
 * - a parameter group that forces TLS (rds.force_ssl=1) and logs connections;
 * - backups kept ≥ 7 days (config, default 14), Multi-AZ per config;
 * - engine version from config: a major (RDS's current minor, automatic minor upgrades in the
 *   configured maintenance window) or an exact minor with automatic upgrades off (ADR 0015);
 * - production: deletion protection and a final snapshot; always Pulumi `protect`.
 * The master password comes from @pulumi/random: secret in state, delivered to the runtime
 * only as the Kubernetes Secret paddock-database.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { POSTGRES_PORT } from '../../config/names.ts';
import type { ExternalDatabaseSpec } from '../../config/platform-spec.ts';
import { postgresParameterFamily } from './eks-settings.ts';
import { RDS_CA_CERT_IDENTIFIER } from './rds-ca-bundle.ts';
import type { Network } from './network.ts';

export const RDS_USER = 'paddock';
export const RDS_DATABASE = 'paddock';

export interface RdsPostgresArgs {
  readonly clusterName: string;
  readonly database: ExternalDatabaseSpec;
  readonly production: boolean;
  readonly vpc: Network;
  /** the only security group allowed in on 5432: the runtime pods' */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

export class RdsPostgres extends pulumi.ComponentResource {
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly user: string;
  readonly password: pulumi.Output<string>;
  readonly database: string;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: RdsPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:aws:RdsPostgres', name, {}, opts);
    const { clusterName, database, tags } = args;
    const parent = { parent: this };
    const identifier = `${clusterName}-postgres`;

    const key = new aws.kms.Key(
      'storage-key',
      { description: `RDS ${identifier}: storage, snapshots and Performance Insights`, enableKeyRotation: true, deletionWindowInDays: 30, tags: { ...tags, Name: `${identifier}-storage` } },
      parent,
    );
    new aws.kms.Alias('storage-key', { name: `alias/${identifier}-storage`, targetKeyId: key.keyId }, parent);

    const subnetGroup = new aws.rds.SubnetGroup('private', { name: `${identifier}-private`, description: `Private subnets of ${clusterName}`, subnetIds: args.vpc.privateSubnetIds, tags }, parent);

    const securityGroup = new aws.ec2.SecurityGroup(
      'postgres',
      { name: `${identifier}`, description: `PostgreSQL ${identifier}: 5432 from the runtime pods only`, vpcId: args.vpc.vpcId, tags: { ...tags, Name: identifier } },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      'from-runtime-pods',
      { securityGroupId: securityGroup.id, referencedSecurityGroupId: args.clientSecurityGroupId, ipProtocol: 'tcp', fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT, description: 'PostgreSQL from the runtime pods security group' },
      parent,
    );
    this.securityGroupId = securityGroup.id;

    const parameters = new aws.rds.ParameterGroup(
      'postgres',
      {
        name: `${identifier}-${postgresParameterFamily(database.engineVersion)}`,
        family: postgresParameterFamily(database.engineVersion),
        description: `${identifier}: TLS forced, connections logged`,
        parameters: [
          { name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' },
          { name: 'log_connections', value: '1' },
          { name: 'log_disconnections', value: '1' },
        ],
        tags,
      },
      parent,
    );

    // Alphanumeric: valid for RDS (which refuses / @ " and spaces) and safe in a URL.
    this.password = pulumi.secret(new random.RandomPassword('master-password', { length: 40, special: false }, parent).result);
    this.user = RDS_USER;
    this.database = RDS_DATABASE;

    const instance = new aws.rds.Instance(
      'postgres',
      {
        identifier,
        engine: 'postgres',
        engineVersion: database.engineVersion,
        // on by default with a major-only engineVersion: RDS applies minors in the maintenance window (ADR 0015)
        autoMinorVersionUpgrade: database.autoMinorVersionUpgrade,
        // the major changes only when the stack file's engineVersion does (a reviewed change); without
        // this RDS refuses that modification. It is applied in the next maintenance window.
        allowMajorVersionUpgrade: true,
        instanceClass: database.instanceClass,
        allocatedStorage: database.allocatedStorageGb,
        maxAllocatedStorage: database.allocatedStorageGb * 2,
        storageType: 'gp3',
        storageEncrypted: true,
        kmsKeyId: key.arn,
        dbName: RDS_DATABASE,
        username: RDS_USER,
        password: this.password,
        port: POSTGRES_PORT,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [securityGroup.id],
        publiclyAccessible: false,
        multiAz: database.multiAz,
        parameterGroupName: parameters.name,
        caCertIdentifier: RDS_CA_CERT_IDENTIFIER,
        backupRetentionPeriod: database.backupRetentionDays,
        backupWindow: database.backupWindow,
        maintenanceWindow: database.maintenanceWindow,
        copyTagsToSnapshot: true,
        deleteAutomatedBackups: !args.production,
        deletionProtection: args.production,
        skipFinalSnapshot: !args.production,
        ...(args.production ? { finalSnapshotIdentifier: `${identifier}-final` } : {}),
        enabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: key.arn,
        performanceInsightsRetentionPeriod: 7,
        iamDatabaseAuthenticationEnabled: false,
        tags: { ...tags, Name: identifier },
      },
      // protect: `pulumi destroy` stops here until someone unprotects the database on purpose
      { parent: this, protect: true, additionalSecretOutputs: ['password'] },
    );

    this.address = instance.address;
    this.port = instance.port;
    this.registerOutputs({ address: this.address, port: this.port, identifier });
  }
}
