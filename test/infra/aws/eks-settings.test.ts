import { describe, expect, it } from 'vitest';
import { isArmInstanceType, nodeAmiType, NODE_METADATA_OPTIONS, postgresParameterFamily } from '../../../infra/aws/eks-settings.ts';

describe('EKS settings', () => {
  it('recognises Graviton instance families', () => {
    for (const t of ['m7g.large', 'c6gn.xlarge', 'r6gd.2xlarge', 't4g.medium']) expect(isArmInstanceType(t), t).toBe(true);
    for (const t of ['m6i.xlarge', 'g5.xlarge', 'c7a.large', 'p4d.24xlarge', 'm5.large']) expect(isArmInstanceType(t), t).toBe(false);
  });

  it('picks the Amazon Linux 2023 AMI type of the architecture', () => {
    expect(nodeAmiType(['m7g.large', 'c7g.large'])).toBe('AL2023_ARM_64_STANDARD');
    expect(nodeAmiType(['m6i.2xlarge'])).toBe('AL2023_x86_64_STANDARD');
  });

  it('requires IMDSv2 and keeps metadata one hop away from pods', () => {
    expect(NODE_METADATA_OPTIONS.httpTokens).toBe('required');
    expect(NODE_METADATA_OPTIONS.httpPutResponseHopLimit).toBe(1);
  });

  it('derives the RDS parameter group family from the engine version', () => {
    expect(postgresParameterFamily('16.4')).toBe('postgres16');
    expect(postgresParameterFamily('15')).toBe('postgres15');
  });
});
