/**
 * checkVersions(platform, today): what synth, plan and the Pulumi program refuse or warn about,
 * on fixed days. Each message names the key; the CLI adds the stack file.
 */
import { describe, expect, it } from 'vitest';
import type { PlatformSettings } from '../../../config/platform-spec.ts';
import { checkVersions, newestInStandardSupport } from '../../../config/versions/version-check.ts';
import { shippedSpec } from '../../support/fixtures.ts';

const DAY = new Date('2026-12-04T10:00:00Z');
const prod = shippedSpec('prod').platform;
const K8S = ['paddock:platform', 'eks', 'kubernetesVersion'];
const ENGINE = ['paddock:platform', 'database', 'engineVersion'];

function withEks(kubernetesVersion: string): PlatformSettings {
  return { ...prod, eks: { ...prod.eks!, kubernetesVersion } };
}

function withEngine(engineVersion: string, autoMinorVersionUpgrade = true): PlatformSettings {
  if (prod.database.mode !== 'external') throw new Error('prod uses RDS');
  return { ...prod, database: { ...prod.database, engineVersion, autoMinorVersionUpgrade } };
}

describe('checkVersions: EKS Kubernetes version', () => {
  it('passes the shipped prod stack today, silently', () => {
    expect(checkVersions(prod, DAY)).toEqual({ warnings: [], errors: [] });
  });

  it('warns for a version in extended support, naming the dates and the version to move to', () => {
    expect(checkVersions(withEks('1.34'), DAY)).toEqual({
      warnings: [{ path: K8S, message: '"1.34" is past EKS standard support since 2026-12-02: the cluster runs on extended support (billed per cluster hour) until 2027-12-02; use "1.35"' }],
      errors: [],
    });
  });

  it('refuses the old default 1.30 and 1.31, past extended support', () => {
    expect(checkVersions(withEks('1.30'), DAY).errors).toEqual([
      { path: K8S, message: '"1.30" is past EKS extended support since 2026-07-23: EKS no longer creates clusters on it and upgrades existing ones by itself; use "1.35"' },
    ]);
    expect(checkVersions(withEks('1.31'), DAY).errors.map((e) => e.message)).toEqual([expect.stringContaining('past EKS extended support since 2026-11-26')]);
  });

  it('refuses a version without data, and one with no confirmed dates', () => {
    expect(checkVersions(withEks('1.29'), DAY).errors).toEqual([
      { path: K8S, message: '"1.29" is not a Kubernetes version Paddock knows on EKS (1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36; config/versions/eks-kubernetes-versions.ts); use "1.35"' },
    ]);
    expect(checkVersions(withEks('1.36'), DAY).errors).toEqual([
      {
        path: K8S,
        message: '"1.36" has no confirmed EKS support dates in config/versions/eks-kubernetes-versions.ts: add its end of standard and extended support from the EKS release calendar (`aws eks describe-cluster-versions`), or use "1.35"',
      },
    ]);
  });

  it('warns from 60 days before standard support ends (EKS upgrades a STANDARD-policy cluster that day)', () => {
    expect(checkVersions(prod, new Date('2027-01-25T00:00:00Z')).warnings).toEqual([]); // 61 days before
    expect(checkVersions(prod, new Date('2027-01-26T00:00:00Z')).warnings).toEqual([
      { path: K8S, message: '"1.35" leaves EKS standard support on 2027-03-27 (in 60 day(s)); on that day EKS upgrades the control plane to the next version by itself (upgrade policy STANDARD): upgrade before then' },
    ]);
  });

  it('says so when no version of the table is in standard support any more', () => {
    expect(newestInStandardSupport(new Date('2027-04-01T00:00:00Z'))).toBeUndefined();
    expect(checkVersions(prod, new Date('2027-04-01T00:00:00Z')).warnings[0]!.message).toContain('every version in config/versions/eks-kubernetes-versions.ts is past standard support on 2027-04-01');
  });

  it('checks nothing about EKS on a kind stack', () => {
    expect(checkVersions(shippedSpec('local').platform, new Date('2040-01-01T00:00:00Z'))).toEqual({ warnings: [], errors: [] });
  });
});

describe('checkVersions: RDS PostgreSQL engine version', () => {
  it('refuses 16.4, which AWS no longer creates, and says what to use', () => {
    expect(checkVersions(withEngine('16.4', false), DAY).errors).toEqual([
      { path: ENGINE, message: '"16.4" can no longer be created on RDS: AWS creates PostgreSQL 16 from 16.11 on (config/versions/rds-postgres-versions.ts); use "16" or a minor from 16.11' },
    ]);
  });

  it('compares minors as numbers: 17.10 is above the floor 17.7, 17.4 below it', () => {
    expect(checkVersions(withEngine('17.10', false), DAY).errors).toEqual([]);
    expect(checkVersions(withEngine('17.4', false), DAY).errors).toHaveLength(1);
  });

  it('only warns before the day AWS stopped creating the old minors', () => {
    const before = checkVersions(withEngine('17.4', false), new Date('2026-04-30T23:00:00Z'));
    expect(before.errors).toEqual([]);
    expect(before.warnings.map((w) => w.message)).toEqual([expect.stringContaining('"17.4" can no longer be created from 2026-05-01 on RDS')]);
  });

  it('refuses a pinned minor with automatic minor upgrades on (RDS would move it, the next `pulumi up` would fight it)', () => {
    expect(checkVersions(withEngine('17.7', true), DAY).errors).toEqual([
      {
        path: ENGINE,
        message: '"17.7" pins a minor version while autoMinorVersionUpgrade is on: RDS upgrades the instance in its maintenance window and the next `pulumi up` would try to take it back; use "17" (RDS\'s current minor, kept current), or set database.autoMinorVersionUpgrade: false',
      },
    ]);
    expect(checkVersions(withEngine('17', true), DAY).errors).toEqual([]);
  });

  it('refuses a major Paddock has no data for', () => {
    expect(checkVersions(withEngine('13', true), DAY).errors).toEqual([{ path: ENGINE, message: 'PostgreSQL 13 is not a major version Paddock creates on RDS (16, 17; config/versions/rds-postgres-versions.ts)' }]);
  });
});

describe('checkVersions: kind node image', () => {
  const local = shippedSpec('local').platform;
  const withImage = (nodeImage: string): PlatformSettings => ({ ...local, kind: { ...local.kind!, nodeImage } });
  const IMAGE = ['paddock:platform', 'kind', 'nodeImage'];

  it('passes the recorded image of the EKS default\'s minor', () => {
    expect(checkVersions(local, DAY)).toEqual({ warnings: [], errors: [] });
  });

  it('warns for another Kubernetes minor than EKS runs, and for a node image without a digest', () => {
    expect(checkVersions(withImage('kindest/node:v1.30.13'), DAY).warnings).toEqual([
      { path: IMAGE, message: 'runs Kubernetes 1.30 while EKS stacks default to 1.35: local and production behave differently; use "kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f" (kind v0.31.0)' },
    ]);
    expect(checkVersions(withImage('kindest/node:v1.35.0'), DAY).warnings.map((w) => w.message)).toEqual([expect.stringContaining('"kindest/node:v1.35.0" is not pinned by digest')]);
    expect(checkVersions(withImage('registry.example/kind-node:custom-1'), DAY)).toEqual({ warnings: [], errors: [] });
  });
});
