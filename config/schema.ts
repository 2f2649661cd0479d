/**
 * The stack config schema: the single source of truth for the `paddock:` namespace of
 * `stacks/Pulumi.<stack>.yaml`. It yields the TypeScript types, the editor JSON Schema and,
 * through `validatePlatformConfig`, the validated PlatformSpec.
 */
import { z } from 'zod';
import { cidr, dns1123Label, dns1123Subdomain, envName, pinnedImage, port, quantity, resources } from './primitives.ts';

export const SUPPORTED_AGENT_SANDBOX_VERSIONS = ['v0.5.6'] as const;
export const DEFAULT_AGENT_SANDBOX_VERSION = 'v0.5.6';
export const DEFAULT_RUNTIME_IMAGE = 'ghcr.io/paddock-dev/paddock-runtime:0.1.0';
export const DEFAULT_POSTGRES_IMAGE = 'docker.io/library/postgres:16.4-alpine3.20';
export const DEFAULT_KIND_NODE_IMAGE = 'kindest/node:v1.30.13';

const runtimeSchema = z.strictObject({
  image: pinnedImage.default(DEFAULT_RUNTIME_IMAGE),
  replicas: z.number().int().min(1).max(20).default(2),
  resources: resources.default({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } }),
  /** seconds a turn may run before the runtime aborts it */
  turnTimeoutSeconds: z.number().int().min(10).max(86_400).default(1800),
});

const modelGatewaySchema = z
  .strictObject({
    /** OpenAI/Anthropic-compatible endpoint (e.g. a LiteLLM proxy) that sandboxes may call */
    url: z.url({ protocol: /^https?$/, error: (i) => `${JSON.stringify(i.input)} is not an http(s) URL` }),
    /** a gateway outside the cluster: the address ranges it is served from */
    cidrs: z.array(cidr).min(1).optional(),
    /** a gateway inside the cluster: where its pods run */
    inCluster: z
      .strictObject({ namespace: dns1123Label(), podSelector: z.record(z.string(), z.string()).refine((v) => Object.keys(v).length > 0, 'needs at least one label') })
      .optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.cidrs === undefined) === (value.inCluster === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'set exactly one of "cidrs" (gateway outside the cluster) or "inCluster" (gateway pods in the cluster), so NetworkPolicy can admit it' });
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
  engineVersion: z.string().regex(/^\d+(\.\d+)?$/).default('16.4'),
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/).default('db.t4g.medium'),
  allocatedStorageGb: z.number().int().min(20).max(65536).default(50),
  backupRetentionDays: z.number().int().min(7).max(35).default(14),
  multiAz: z.boolean().default(true),
});

const databaseSchema = z.discriminatedUnion('mode', [inClusterDatabase, externalDatabase], {
  error: (i) => (i.code === 'invalid_union' ? `mode must be "in-cluster" or "external"` : undefined),
});

const eksSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'is not an AWS region (e.g. "eu-west-1")'),
  kubernetesVersion: z.string().regex(/^1\.\d+$/, 'is not a Kubernetes minor version (e.g. "1.30")').default('1.30'),
  vpcCidr: cidr.default('10.0.0.0/16'),
  availabilityZones: z.number().int().min(2).max(6).default(3),
  /** the API endpoint is private; list CIDRs here to also expose it publicly to those ranges only */
  publicAccessCidrs: z.array(cidr).default([]),
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
});

export const paddockConfigSchema = z.strictObject({
  'paddock:platform': platformSchema,
  'paddock:teams': z.array(teamSchema).default([]),
  /** secret values, read by the Pulumi program only (never by synth) */
  'paddock:teamSecrets': z.record(z.string(), z.unknown()).optional(),
  /** path of the .env file with CONTAINER_ENV_* variables, relative to the project root */
  'paddock:envFile': z.string().optional(),
});

export type PlatformInput = z.input<typeof platformSchema>;
export type TeamInput = z.input<typeof teamSchema>;
export type PaddockConfigInput = z.input<typeof paddockConfigSchema>;
export type EgressRule = z.output<typeof egressRuleSchema>;
export type Resources = z.output<typeof resources>;
