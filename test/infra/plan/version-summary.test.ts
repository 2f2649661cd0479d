import { describe, expect, it } from 'vitest';
import type { PlatformSettings } from '../../../config/platform-spec.ts';
import { versionSummary } from '../../../infra/plan/version-summary.ts';
import { shippedSpec } from '../../support/fixtures.ts';

const DAY = new Date('2026-12-04T10:00:00Z');
const prod = shippedSpec('prod').platform;

describe('versionSummary (the Versions section of paddock plan)', () => {
  it('says where the shipped prod stack\'s versions stand and what follows from it', () => {
    expect(versionSummary(prod, DAY)).toEqual([
      '  checked on 2026-12-04 against config/versions/',
      '  Kubernetes 1.35 on EKS: standard support until 2027-03-27, extended until 2028-03-27; upgrade policy STANDARD',
      '  aws-ebs-csi-driver add-on: the version EKS names default for 1.35 (read at `pulumi up`)',
      '  PostgreSQL on RDS: 17, at the minor RDS creates (AWS creates 17.7 and later); automatic minor upgrades in sun:03:30-sun:04:30 UTC; backups 02:00-03:00 UTC',
    ]);
  });

  it('names extended support and its policy, a pinned add-on and a pinned minor', () => {
    if (prod.database.mode !== 'external') throw new Error('prod uses RDS');
    const platform: PlatformSettings = { ...prod, eks: { ...prod.eks!, kubernetesVersion: '1.32' }, database: { ...prod.database, engineVersion: '17.9', autoMinorVersionUpgrade: false } };
    expect(versionSummary(platform, DAY).slice(1)).toEqual([
      '  Kubernetes 1.32 on EKS: EXTENDED support (billed per cluster hour) until 2027-03-23; upgrade policy EXTENDED',
      '  aws-ebs-csi-driver add-on: v1.45.0-eksbuild.2',
      '  PostgreSQL on RDS: 17.9; minor upgrades off (pinned; maintenance in sun:03:30-sun:04:30 UTC); backups 02:00-03:00 UTC',
    ]);
  });

  it('shows the kind node image with its Kubernetes minor and kind release, and the in-cluster Postgres', () => {
    expect(versionSummary(shippedSpec('local').platform, DAY).slice(1)).toEqual([
      '  kind node image: kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f (Kubernetes 1.35, kind v0.31.0)',
      '  PostgreSQL in the cluster: docker.io/library/postgres:17.9-alpine3.23',
    ]);
  });
});
