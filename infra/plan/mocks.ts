/**
 * Pulumi mocks for the offline plan and the tests: every resource "creates" instantly with
 * its inputs as state, plus the few outputs the program reads (a kubeconfig, node security
 * group, database address, ...). Values are obviously fake; generated secrets carry
 * MOCK_SECRET_MARKER so tests can prove none of them leaks into text.
 */
import * as pulumi from '@pulumi/pulumi';

export const MOCK_ACCOUNT_ID = '123456789012';
/** Every mock random value contains this, e.g. to scan output for leaked secrets. */
export const MOCK_SECRET_MARKER = 'mock-secret-value';

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** "<provider urn>::<id>" of an explicit provider; undefined for the default provider */
  readonly provider?: string;
  /** as the engine received them: secret values still wrapped (see isSecretValue) */
  readonly inputs: Record<string, unknown>;
}

/** True for a value the SDK sent to the engine as a secret. */
export function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

const FAKE_KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: mock, cluster: { server: "https://127.0.0.1:6443" } }]
contexts: [{ name: mock, context: { cluster: mock, user: mock } }]
current-context: mock
users: [{ name: mock, user: { token: ${MOCK_SECRET_MARKER}-kubeconfig } }]
`;

function mockOutputs(args: pulumi.runtime.MockResourceArgs, region: string): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${MOCK_ACCOUNT_ID}:${resource}`;
  switch (args.type) {
    case 'random:index/randomPassword:RandomPassword': {
      const length = typeof inputs.length === 'number' ? inputs.length : 32;
      const text = `${MOCK_SECRET_MARKER}-${args.name}-`;
      return { result: text.padEnd(Math.max(length, text.length + 4), 'x') };
    }
    case 'command:local:Command':
      return { stdout: args.name === 'kubeconfig' ? FAKE_KUBECONFIG : '', stderr: '' };
    case 'eks:index:Cluster':
      return {
        kubeconfigJson: JSON.stringify({ apiVersion: 'v1', kind: 'Config', users: [{ name: 'mock', user: { token: `${MOCK_SECRET_MARKER}-eks` } }] }),
        nodeSecurityGroupId: 'sg-0mocknodes',
        clusterSecurityGroupId: 'sg-0mockcluster',
        oidcProviderArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/mock`,
      };
    case 'aws:rds/instance:Instance':
      return { address: `${String(inputs.identifier ?? args.name)}.mock.${region}.rds.amazonaws.com`, port: inputs.port ?? 5432, arn: arn('rds', `db:${String(inputs.identifier ?? args.name)}`) };
    case 'aws:kms/key:Key':
      return { arn: arn('kms', `key/mock-${args.name}`), keyId: `mock-${args.name}` };
    case 'aws:iam/role:Role':
      return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${args.name}`, name: args.name };
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return { latestVersion: 1, arn: arn('ec2', `launch-template/lt-mock-${args.name}`) };
    case 'aws:rds/subnetGroup:SubnetGroup':
    case 'aws:rds/parameterGroup:ParameterGroup':
      return { name: inputs.name ?? args.name };
    default:
      return {};
  }
}

function mockCall(args: pulumi.runtime.MockCallArgs, region: string): Record<string, unknown> {
  switch (args.token) {
    case 'aws:index/getAvailabilityZones:getAvailabilityZones':
      return { names: ['a', 'b', 'c'].map((z) => `${region}${z}`), zoneIds: ['az1', 'az2', 'az3'].map((z) => `mock-${z}`), id: region };
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`, userId: 'MOCK', id: MOCK_ACCOUNT_ID };
    case 'aws:index/getPartition:getPartition':
      return { partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' };
    case 'aws:eks/getAddonVersion:getAddonVersion': {
      // what EKS answers is only known at deploy time; the plan says so instead of inventing a build
      const { addonName, kubernetesVersion } = args.inputs as { addonName: string; kubernetesVersion: string };
      return { addonName, kubernetesVersion, version: `${EKS_DEFAULT_ADDON_PLACEHOLDER} ${kubernetesVersion}`, id: `${addonName}-${kubernetesVersion}`, region };
    }
    default:
      throw new Error(`no mock for the call ${args.token}: add one to infra/plan/mocks.ts`);
  }
}

/** How a plan shows an add-on version that EKS chooses at deploy time (its default for the Kubernetes version). */
export const EKS_DEFAULT_ADDON_PLACEHOLDER = 'chosen by EKS at deploy time: its default for Kubernetes';

export function paddockMocks(record: (resource: RecordedResource) => void, region: string): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      record({ type: args.type, name: args.name, custom: args.custom ?? true, ...(args.provider ? { provider: args.provider } : {}), inputs: (args.inputs ?? {}) as Record<string, unknown> });
      return { id: args.custom === false ? undefined : `${args.name}-mock-id`, state: { ...(args.inputs as Record<string, unknown>), ...mockOutputs(args, region) } };
    },
    call(args) {
      return mockCall(args, region);
    },
  };
}
