/**
 * The Pulumi program for the shipped EKS stack, run under Pulumi's mocks: the VPC, the EKS
 * cluster and node group hardening, RDS, nothing public, the applied objects against
 * manifests/prod/, and the secrets.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_PLANE_LOG_TYPES } from '../../infra/aws/eks-settings.ts';
import { planSubnets } from '../../infra/aws/subnet-plan.ts';
import { RDS_CA_BUNDLE } from '../../infra/aws/rds-ca-bundle.ts';
import { MOCK_SECRET_MARKER } from '../../infra/plan/mocks.ts';
import type { PlannedResource } from '../../infra/plan/offline-plan.ts';
import { API_TOKENS_SECRET, CONTAINER_ENV_SECRET, DATABASE_SECRET, PADDOCK_SYSTEM_NAMESPACE, POSTGRES_SECRET, TEAM_SECRETS_SECRET } from '../../config/names.ts';
import { expectAppliedObjectsMatchManifests, expectNoSecretOutsideSecrets } from './support/shared-assertions.ts';
import { FIXTURE_DOTENV_SECRET, FIXTURE_TEAM_SECRET_PREFIX, PROGRAM_DAY, committedText, one, ofType, runShippedStack, secretData, type ProgramRun } from './support/program-run.ts';
import type { ExternalDatabaseSpec } from '../../config/platform-spec.ts';
import { supportState } from '../../config/versions/eks-kubernetes-versions.ts';
import { compareText } from '../../config/compare.ts';

let run: ProgramRun;
beforeAll(async () => {
  run = await runShippedStack('prod');
}, 120_000);

const eksSpec = () => run.spec.platform.eks!;
const idOf = (r: PlannedResource) => `${r.name}-mock-id`;
const SUBNET = 'aws:ec2/subnet:Subnet';

function subnets(tier: 'private' | 'public'): PlannedResource[] {
  return ofType(run.plan, SUBNET).filter((s) => s.name.startsWith(`${tier}-`)).sort((a, b) => compareText(a.name, b.name));
}

describe('stack prod: resource graph', () => {
  it('builds network, cluster, database, tokens and charts as components of the platform', () => {
    for (const [type, name] of [
      ['paddock:aws:Network', 'network'],
      ['paddock:aws:EksCluster', run.spec.platform.clusterName],
      ['paddock:aws:RdsPostgres', 'database'],
      ['paddock:secrets:ApiTokens', 'api-tokens'],
      ['paddock:kubernetes:SynthesizedCharts', 'kubernetes'],
    ] as const) {
      expect(one(run.plan, type, name).parent, `${type} ${name}`).toEqual({ type: 'paddock:index:Platform', name: 'paddock' });
    }
    expect(ofType(run.plan, 'paddock:kind:Cluster')).toEqual([]);
    expect(ofType(run.plan, 'command:local:Command')).toEqual([]);
    expect(one(run.plan, 'eks:index:Cluster', 'eks').parent).toEqual({ type: 'paddock:aws:EksCluster', name: run.spec.platform.clusterName });
    expect(one(run.plan, 'aws:rds/instance:Instance', 'postgres').parent).toEqual({ type: 'paddock:aws:RdsPostgres', name: 'database' });
  });

  it('applies exactly the objects of manifests/prod/, with the same content, after the nodes exist', () => {
    expectAppliedObjectsMatchManifests(run, 'prod');
    const crd = run.plan.resources.find((r) => r.type.endsWith(':CustomResourceDefinition'))!;
    expect(crd.options!.dependsOn).toContainEqual({ type: 'eks:index:ManagedNodeGroup', name: 'nodes' });
  });
});

describe('stack prod: network', () => {
  it('has a private and a public subnet in each of at least two zones, as planned', () => {
    const plan = planSubnets(eksSpec().vpcCidr, eksSpec().availabilityZones);
    expect(eksSpec().availabilityZones).toBeGreaterThanOrEqual(2);
    expect(subnets('private').map((s) => s.inputs.cidrBlock)).toEqual(plan.private);
    expect(subnets('public').map((s) => s.inputs.cidrBlock)).toEqual(plan.public);
    const zones = subnets('private').map((s) => s.inputs.availabilityZone);
    expect(new Set(zones).size).toBe(eksSpec().availabilityZones);
  });

  it('routes private subnets through NAT (one per zone in production) and only public ones to the internet gateway', () => {
    const routes = ofType(run.plan, 'aws:ec2/route:Route');
    const toInternet = routes.filter((r) => r.inputs.gatewayId !== undefined);
    expect(toInternet.map((r) => r.name)).toEqual(['public-default']);
    const privateRoutes = routes.filter((r) => r.name.startsWith('private-'));
    expect(privateRoutes).toHaveLength(eksSpec().availabilityZones);
    for (const route of privateRoutes) expect(String(route.inputs.natGatewayId)).toMatch(/^nat-\d-mock-id$/);
    expect(ofType(run.plan, 'aws:ec2/natGateway:NatGateway')).toHaveLength(eksSpec().production ? eksSpec().availabilityZones : 1);
  });

  it('exposes nothing: no public IPs on launch, no ingress from 0.0.0.0/0, a default security group without rules', () => {
    for (const subnet of ofType(run.plan, SUBNET)) expect(subnet.inputs.mapPublicIpOnLaunch, subnet.name).toBe(false);
    const everywhere = (r: PlannedResource) => JSON.stringify(r.inputs).includes('0.0.0.0/0');
    const open = run.plan.resources.filter((r) => /SecurityGroup|IngressRule/.test(r.type) && !/EgressRule/.test(r.type) && everywhere(r));
    expect(open.map((r) => `${r.type} ${r.name}`)).toEqual([]);
    // out to anywhere: only the model gateway's pods, to providers on 443 (NetworkPolicy keeps them off the cluster's ranges)
    const outEverywhere = run.plan.resources.filter((r) => /EgressRule/.test(r.type) && everywhere(r));
    expect(outEverywhere.map((r) => `${r.name} ${String(r.inputs.securityGroupId)} ${String(r.inputs.ipProtocol)}/${String(r.inputs.fromPort)}`)).toEqual(['gateway-pods-to-providers-443 gateway-pods-mock-id tcp/443']);
    const defaultGroup = one(run.plan, 'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup', 'default-security-group');
    expect(defaultGroup.inputs.ingress).toEqual([]);
    expect(defaultGroup.inputs.egress).toEqual([]);
  });
});

describe('stack prod: EKS cluster', () => {
  const cluster = () => one(run.plan, 'eks:index:Cluster', 'eks').inputs;

  it('keeps the API endpoint private', () => {
    expect(cluster().endpointPrivateAccess).toBe(true);
    expect(eksSpec().publicAccessCidrs).toEqual([]);
    expect(cluster().endpointPublicAccess).toBe(false);
    expect(cluster().publicAccessCidrs).toBeUndefined();
  });

  it('runs in the private subnets only, without a default node group or public node IPs', () => {
    expect(cluster().vpcId).toBe('vpc-mock-id');
    expect(cluster().privateSubnetIds).toEqual(subnets('private').map(idOf));
    expect(cluster().publicSubnetIds).toBeUndefined();
    expect(cluster().subnetIds).toBeUndefined();
    expect(cluster().skipDefaultNodeGroup).toBe(true);
    expect(cluster().nodeAssociatePublicIpAddress).toBe(false);
  });

  it('authenticates with access entries only: an admin and a viewer role, cluster-scoped policies', () => {
    expect(cluster().authenticationMode).toBe('API');
    const entries = cluster().accessEntries as Record<string, { principalArn: string; type: string; accessPolicies: Record<string, { policyArn: string; accessScope: { type: string } }> }>;
    expect(Object.keys(entries).sort()).toEqual(['cluster-admin', 'cluster-viewer']);
    expect(entries['cluster-admin']!.principalArn).toBe('arn:aws:iam::123456789012:role/cluster-admin');
    expect(entries['cluster-admin']!.accessPolicies.admin).toEqual({ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } });
    expect(entries['cluster-viewer']!.accessPolicies.view!.policyArn).toBe('arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy');
    expect(cluster().roleMappings).toBeUndefined();
    expect(cluster().userMappings).toBeUndefined();
    const adminTrust = JSON.parse(String(one(run.plan, 'aws:iam/role:Role', 'cluster-admin').inputs.assumeRolePolicy)) as { Statement: { Principal: unknown }[] };
    expect(adminTrust.Statement).toEqual([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }]);
  });

  it('encrypts Secrets with its own rotating KMS key and sends every control-plane log to a retained log group', () => {
    const key = one(run.plan, 'aws:kms/key:Key', 'secrets-key');
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(cluster().encryptionConfigKeyArn).toBe('arn:aws:kms:eu-west-1:123456789012:key/mock-secrets-key');
    expect(cluster().enabledClusterLogTypes).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    expect(CONTROL_PLANE_LOG_TYPES).toHaveLength(5);
    const logs = one(run.plan, 'aws:cloudwatch/logGroup:LogGroup', 'control-plane-logs');
    expect(logs.inputs.name).toBe(`/aws/eks/${run.spec.platform.clusterName}/cluster`);
    expect(logs.inputs.retentionInDays).toBe(365);
    expect(one(run.plan, 'eks:index:Cluster', 'eks').options!.dependsOn).toContainEqual({ type: 'aws:cloudwatch/logGroup:LogGroup', name: 'control-plane-logs' });
  });

  it('enforces NetworkPolicy with the VPC CNI and uses the service range the policies assume', () => {
    expect(cluster().useDefaultVpcCni).toBe(false);
    expect(cluster().vpcCniOptions).toMatchObject({ enableNetworkPolicy: true });
    expect(cluster().kubernetesServiceIpAddressRange).toBe(run.spec.platform.network.serviceCidr);
  });

  it('pins a version in standard support, stays on standard support and is protected from deletion in production', () => {
    expect(cluster().version).toBe(eksSpec().kubernetesVersion);
    expect(supportState(eksSpec().kubernetesVersion, PROGRAM_DAY)).toBe('standard');
    expect(cluster().upgradePolicy).toEqual({ supportType: 'STANDARD' });
    expect(eksSpec().production).toBe(true);
    expect(cluster().deletionProtection).toBe(true);
    expect(one(run.plan, 'eks:index:Cluster', 'eks').options?.protect).toBe(true);
  });

  it('runs a managed node group on a launch template that requires IMDSv2 with hop limit 1', () => {
    const template = one(run.plan, 'aws:ec2/launchTemplate:LaunchTemplate', 'nodes').inputs;
    expect(template.metadataOptions).toEqual({ httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' });
    expect(template.blockDeviceMappings).toEqual([{ deviceName: '/dev/xvda', ebs: { volumeSize: eksSpec().nodeGroup.diskSizeGb, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } }]);
    expect(template.vpcSecurityGroupIds).toEqual(['sg-0mocknodes']);

    const group = one(run.plan, 'eks:index:ManagedNodeGroup', 'nodes').inputs;
    expect(group.subnetIds).toEqual(subnets('private').map(idOf));
    expect(group.launchTemplate).toEqual({ id: 'nodes-mock-id', version: '1' });
    expect(group.version).toBe(eksSpec().kubernetesVersion);
    expect(group.instanceTypes).toEqual(eksSpec().nodeGroup.instanceTypes);
    expect(group.amiType).toBe('AL2023_x86_64_STANDARD');
    expect(group.scalingConfig).toEqual({ minSize: eksSpec().nodeGroup.minSize, desiredSize: eksSpec().nodeGroup.desiredSize, maxSize: eksSpec().nodeGroup.maxSize });
    expect(group.diskSize).toBeUndefined(); // set on the launch template, where it is encrypted
  });

  it('gives nodes only the node policies, none to assume roles or read secrets', () => {
    const attachments = ofType(run.plan, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment');
    const policies = attachments.filter((p) => p.inputs.role === 'node-role').map((p) => String(p.inputs.policyArn).split('/').at(-1));
    expect(policies.sort()).toEqual(['AmazonEC2ContainerRegistryReadOnly', 'AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy']);
    // the only other roles with policies are the control plane's (pod-network-security.test.ts) and the EBS CSI controller's (ebs-csi-driver.test.ts)
    expect([...new Set(attachments.map((p) => p.inputs.role))].sort()).toEqual(['cluster-role', 'ebs-csi-controller', 'node-role']);
    expect(ofType(run.plan, 'aws:iam/rolePolicy:RolePolicy').map((p) => p.inputs.role)).toEqual(['ebs-csi-controller']);
  });

  it('applies Kubernetes objects through a server-side-apply provider on the cluster\'s secret kubeconfig', () => {
    const provider = one(run.plan, 'pulumi:providers:kubernetes', 'eks');
    expect(provider.inputs.enableServerSideApply).toBe('true');
    expect(run.plan.outputs.find((o) => o.name === 'kubeconfig')?.secret).toBe(true);
  });
});

describe('stack prod: RDS PostgreSQL', () => {
  const instance = () => one(run.plan, 'aws:rds/instance:Instance', 'postgres');
  const database = () => run.spec.platform.database as ExternalDatabaseSpec;

  it('is private, encrypted with its own KMS key, backed up and pinned', () => {
    const db = instance().inputs;
    expect(db.publiclyAccessible).toBe(false);
    expect(db.storageEncrypted).toBe(true);
    expect(db.kmsKeyId).toBe('arn:aws:kms:eu-west-1:123456789012:key/mock-storage-key');
    expect(one(run.plan, 'aws:kms/key:Key', 'storage-key').inputs.enableKeyRotation).toBe(true);
    expect(db.backupRetentionPeriod).toBe(database().backupRetentionDays);
    expect(db.backupRetentionPeriod as number).toBeGreaterThanOrEqual(7);
    expect(db.engine).toBe('postgres');
    expect(db.engineVersion).toBe(database().engineVersion);
    expect(db.multiAz).toBe(database().multiAz);
    expect(db.instanceClass).toBe(database().instanceClass);
  });

  it('runs PostgreSQL 17 at the minor RDS creates, upgraded in the configured maintenance window, backed up outside it', () => {
    const db = instance().inputs;
    expect(db.engineVersion).toBe('17');
    expect(db.autoMinorVersionUpgrade).toBe(true);
    expect(db.maintenanceWindow).toBe(database().maintenanceWindow);
    expect(db.backupWindow).toBe(database().backupWindow);
    expect([db.maintenanceWindow, db.backupWindow]).toEqual(['sun:03:30-sun:04:30', '02:00-03:00']);
    expect(db.instanceClass).toBe(database().instanceClass);
  });

  it('lives in a subnet group of the private subnets', () => {
    const group = one(run.plan, 'aws:rds/subnetGroup:SubnetGroup', 'private');
    expect(instance().inputs.dbSubnetGroupName).toBe(group.inputs.name);
    expect(group.inputs.subnetIds).toEqual(subnets('private').map(idOf));
  });

  it('is reachable on 5432 from the runtime pods\' and the model gateway pods\' security groups only (never the nodes\')', () => {
    const group = one(run.plan, 'aws:ec2/securityGroup:SecurityGroup', 'postgres');
    const runtimePods = one(run.plan, 'aws:ec2/securityGroup:SecurityGroup', 'runtime-pods');
    const gatewayPods = one(run.plan, 'aws:ec2/securityGroup:SecurityGroup', 'gateway-pods');
    expect(instance().inputs.vpcSecurityGroupIds).toEqual([idOf(group)]);
    expect(group.inputs.ingress).toBeUndefined();
    const rules = ofType(run.plan, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.securityGroupId === idOf(group));
    expect(rules.map((r) => { const { tags: _tags, ...inputs } = r.inputs; return inputs; })).toEqual([
      { securityGroupId: idOf(group), referencedSecurityGroupId: idOf(runtimePods), ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, description: 'PostgreSQL from the runtime pods security group' },
      // LiteLLM's own database on the same instance (ADR 0024)
      { securityGroupId: idOf(group), referencedSecurityGroupId: idOf(gatewayPods), ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, description: 'PostgreSQL from the model gateway pods security group' },
    ]);
  });

  it('forces TLS through its parameter group', () => {
    const parameters = one(run.plan, 'aws:rds/parameterGroup:ParameterGroup', 'postgres');
    expect(instance().inputs.parameterGroupName).toBe(parameters.inputs.name);
    expect(parameters.inputs.family).toBe(`postgres${database().engineVersion.split('.')[0]}`);
    expect(parameters.inputs.parameters).toContainEqual({ name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' });
  });

  it('is protected: deletion protection and a final snapshot in production, and Pulumi protect always', () => {
    const db = instance().inputs;
    expect(db.deletionProtection).toBe(true);
    expect(db.skipFinalSnapshot).toBe(false);
    expect(db.finalSnapshotIdentifier).toBe(`${run.spec.platform.clusterName}-postgres-final`);
    expect(instance().options?.protect).toBe(true);
  });

  it('takes its password from @pulumi/random as a secret, and hands it to the runtime only in Secret paddock-database', () => {
    expect(JSON.stringify(instance().inputs.password)).toContain('1b47061264138c4ac30d75fd1eb44270'); // the SDK's secret marker
    expect(instance().options?.additionalSecretOutputs).toContain('password');
    const url = new URL(secretData(one(run.plan, 'kubernetes:core/v1:Secret', `${PADDOCK_SYSTEM_NAMESPACE}/${DATABASE_SECRET}`)).url!);
    expect(url.hostname).toBe(`${run.spec.platform.clusterName}-postgres.mock.eu-west-1.rds.amazonaws.com`);
    expect(url.password).toContain(MOCK_SECRET_MARKER);
    expect(url.searchParams.get('sslmode')).toBe('verify-full');
    expect(url.searchParams.get('sslrootcert')).toBe(RDS_CA_BUNDLE.pathInImage);
    expect(url.searchParams.has('uselibpqcompat')).toBe(false);
    expect(ofType(run.plan, 'kubernetes:core/v1:Secret').some((s) => s.name.endsWith(`/${POSTGRES_SECRET}`))).toBe(false);
  });
});

describe('stack prod: secrets', () => {
  it('puts CONTAINER_ENV_ into every team namespace and each team\'s secrets into its own', () => {
    for (const team of run.spec.teams) {
      expect(secretData(one(run.plan, 'kubernetes:core/v1:Secret', `${team.namespace}/${CONTAINER_ENV_SECRET}`))).toEqual(run.containerEnv);
      expect(secretData(one(run.plan, 'kubernetes:core/v1:Secret', `${team.namespace}/${TEAM_SECRETS_SECRET}`))).toEqual(run.teamSecrets[team.name]);
    }
    expect(Object.keys(secretData(one(run.plan, 'kubernetes:core/v1:Secret', `${PADDOCK_SYSTEM_NAMESPACE}/${API_TOKENS_SECRET}`))).sort()).toEqual(['admin', ...run.spec.teams.map((t) => `team.${t.name}`)].sort());
  });

  it('exports the tokens and the kubeconfig as secrets only', () => {
    const secretOutputs = run.plan.outputs.filter((o) => o.secret).map((o) => o.name).sort();
    expect(secretOutputs).toEqual(['adminApiToken', 'kubeconfig', ...run.spec.teams.map((t) => `teamApiToken-${t.name}`)].sort());
  });

  it('keeps every secret value out of manifests, plain inputs and outputs', () => {
    expectNoSecretOutsideSecrets(run);
    const manifests = committedText('prod');
    for (const needle of [FIXTURE_DOTENV_SECRET, FIXTURE_TEAM_SECRET_PREFIX, MOCK_SECRET_MARKER]) expect(manifests).not.toContain(needle);
  });
});

describe('stack prod: AWS provider', () => {
  it('creates everything in the stack\'s eks.region, tagged with the stack', () => {
    const provider = one(run.plan, 'pulumi:providers:aws', 'aws');
    expect(provider.inputs.region).toBe(eksSpec().region);
    const awsResources = run.plan.resources.filter((r) => r.custom && /^(aws|eks):/.test(r.type));
    expect(awsResources.length).toBeGreaterThan(30);
    for (const r of awsResources) expect(r.provider, `${r.type} ${r.name}`).toMatch(/pulumi:providers:aws::aws::aws-mock-id$/);
    expect(JSON.parse(String(provider.inputs.defaultTags))).toEqual({ tags: { 'paddock.dev/stack': 'prod', 'paddock.dev/cluster': 'paddock-prod', 'paddock.dev/managed-by': 'pulumi' } });
  });
});
