/**
 * The EKS settings Paddock always applies, and checks of the EKS config that the schema
 * cannot express. Pure: the component (eks-cluster.ts) reads these, and the tests assert the
 * rendered resource inputs against them.
 */
import type { ConfigProblem } from '../../config/errors.ts';
import type { EksSpec, NetworkSpec } from '../../config/platform-spec.ts';
import { checkVpcCidr } from './subnet-plan.ts';

/** Every control-plane log stream EKS offers. */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/**
 * IMDSv2 only, and a hop limit of 1: the node itself can read instance metadata, containers
 * behind the CNI's extra hop cannot, so no pod can borrow the node's IAM role.
 */
export const NODE_METADATA_OPTIONS = { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' } as const;

/** Managed policies of the node role (the VPC CNI's is here because the CNI add-on runs as the node). */
export const NODE_ROLE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonEKS_CNI_Policy'] as const;

export const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';
export const CLUSTER_VIEW_POLICY = 'AmazonEKSAdminViewPolicy';

/** Graviton instance families carry a "g" after the generation number (m7g, c6gn, r6gd, t4g). */
export function isArmInstanceType(instanceType: string): boolean {
  const match = /^[a-z]+\d+([a-z-]*)\./.exec(instanceType);
  return match !== null && match[1]!.includes('g');
}

/** The EKS-optimized Amazon Linux 2023 AMI type for the node group's instance types. */
export function nodeAmiType(instanceTypes: readonly string[]): 'AL2023_ARM_64_STANDARD' | 'AL2023_x86_64_STANDARD' {
  return instanceTypes.every(isArmInstanceType) ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD';
}

export function checkEksSettings(eks: EksSpec, network: NetworkSpec): ConfigProblem[] {
  // the Kubernetes version itself (known, supported today, add-on recorded) is checked by config/versions/version-check.ts
  const problems = [...checkVpcCidr(eks, network)];
  const arm = eks.nodeGroup.instanceTypes.filter(isArmInstanceType);
  if (arm.length > 0 && arm.length < eks.nodeGroup.instanceTypes.length) {
    problems.push({ path: ['paddock:platform', 'eks', 'nodeGroup', 'instanceTypes'], message: `mixes Arm (${arm.join(', ')}) and x86 instance types; one node group runs one architecture` });
  }
  const { minSize, desiredSize, maxSize } = eks.nodeGroup;
  if (!(minSize <= desiredSize && desiredSize <= maxSize)) {
    problems.push({ path: ['paddock:platform', 'eks', 'nodeGroup'], message: `needs minSize <= desiredSize <= maxSize (got ${minSize}, ${desiredSize}, ${maxSize})` });
  }
  return problems;
}

/** "16.4" -> "postgres16": the RDS parameter group family of an engine version. */
export function postgresParameterFamily(engineVersion: string): string {
  return `postgres${engineVersion.split('.')[0]}`;
}
