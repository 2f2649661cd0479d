/**
 * The data of config/versions/ against AWS's answers: compareWithAws on answers shaped like the
 * AWS CLI's (the describe-cluster-versions example of the EKS user guide uses offsets, so UTC days
 * are compared), and scripts/check-versions-aws.ts run for real against a fake `aws` on PATH.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { awsUtcDay, compareWithAws, type AwsAnswers } from '../../../scripts/versions/compare-with-aws.ts';

/** What AWS would answer if it agreed with the table (offsets as AWS writes them, UTC-8). */
const AGREEING: AwsAnswers = {
  clusterVersions: [
    { clusterVersion: '1.32', status: 'EXTENDED_SUPPORT', endOfStandardSupportDate: '2026-03-22T16:00:00-08:00', endOfExtendedSupportDate: '2027-03-22T17:00:00-07:00' },
    { clusterVersion: '1.33', status: 'EXTENDED_SUPPORT', endOfStandardSupportDate: '2026-07-28T17:00:00-07:00', endOfExtendedSupportDate: '2027-07-28T17:00:00-07:00' },
    { clusterVersion: '1.34', status: 'EXTENDED_SUPPORT', endOfStandardSupportDate: '2026-12-01T16:00:00-08:00', endOfExtendedSupportDate: '2027-12-01T16:00:00-08:00' },
    { clusterVersion: '1.35', status: 'STANDARD_SUPPORT', endOfStandardSupportDate: '2027-03-26T17:00:00-07:00', endOfExtendedSupportDate: '2028-03-26T17:00:00-07:00' },
  ],
  ebsCsiDefaults: { '1.35': 'v1.99.0-eksbuild.1' },
  rdsEngineVersions: { '16': ['16.11', '16.12'], '17': ['17.7', '17.8', '17.10'] },
};

describe('compareWithAws', () => {
  it('reads AWS instants as UTC days', () => {
    expect(awsUtcDay('2025-11-25T16:00:00-08:00')).toBe('2025-11-26');
    expect(() => awsUtcDay('soon')).toThrow('AWS returned a date that is not one: "soon"');
  });

  it('agrees with answers that match the table, numerically over minors (17.10 > 17.8)', () => {
    const findings = compareWithAws({ ...AGREEING, clusterVersions: [...AGREEING.clusterVersions, { clusterVersion: '1.36', status: 'STANDARD_SUPPORT', endOfStandardSupportDate: '2027-08-01T17:00:00-07:00', endOfExtendedSupportDate: '2028-08-01T17:00:00-07:00' }] });
    expect(findings.filter((f) => !f.ok).map((f) => f.message)).toEqual([
      // 1.36 has no dates in the table: the comparison says what AWS says, to be written in
      'EKS 1.36: AWS says standard support ends 2027-08-02, extended 2028-08-02; config/versions/eks-kubernetes-versions.ts has (none), (none): update the line and its source',
    ]);
    expect(findings.map((f) => f.message)).toContain('EKS 1.35: aws-ebs-csi-driver follows EKS\'s default, today v1.99.0-eksbuild.1 (pin it in config/versions/eks-kubernetes-versions.ts to freeze it)');
    expect(findings.map((f) => f.message)).toContain('RDS PostgreSQL 17: creatable minors 17.7 to 17.10');
    expect(findings.map((f) => f.message)).toContain('EKS 1.30: not offered any more (past extended support); the table may keep it, the check refuses it');
  });

  it('names each difference and the file to edit', () => {
    const findings = compareWithAws({
      clusterVersions: [{ clusterVersion: '1.35', endOfStandardSupportDate: '2027-05-01T00:00:00Z', endOfExtendedSupportDate: '2028-05-01T00:00:00Z' }, { clusterVersion: '1.37', status: 'STANDARD_SUPPORT' }],
      ebsCsiDefaults: {},
      rdsEngineVersions: { '16': ['16.12'], '17': [] },
    });
    expect(findings.filter((f) => !f.ok).map((f) => f.message)).toEqual([
      'EKS 1.35: AWS says standard support ends 2027-05-01, extended 2028-05-01; config/versions/eks-kubernetes-versions.ts has 2027-03-27, 2028-03-27: update the line and its source',
      'EKS 1.37: offered by AWS (STANDARD_SUPPORT) but not in config/versions/eks-kubernetes-versions.ts: add it with its dates and add-on',
      'RDS PostgreSQL 16: AWS creates 16.12 and later; config/versions/rds-postgres-versions.ts says 16.11: raise the floor with its source',
      'RDS PostgreSQL 17: AWS lists no creatable version in this region; config/versions/rds-postgres-versions.ts says from 17.7',
    ]);
  });
});

describe('scripts/check-versions-aws.ts against a fake AWS CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-versions-aws-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(resolve('test/scripts/versions/fake-aws.sh'), join(dir, 'aws'));

  function run(answers: AwsAnswers, args: string[] = ['--region', 'eu-west-1']) {
    writeFileSync(join(dir, 'eks-cluster-versions.json'), JSON.stringify({ clusterVersions: answers.clusterVersions }));
    for (const [version, addon] of Object.entries(answers.ebsCsiDefaults)) {
      writeFileSync(join(dir, `addon-${version}.json`), JSON.stringify({ addons: [{ addonName: 'aws-ebs-csi-driver', addonVersions: [{ addonVersion: 'v1.0.0-eksbuild.1', compatibilities: [{ defaultVersion: false }] }, { addonVersion: addon, compatibilities: [{ clusterVersion: version, defaultVersion: true }] }] }] }));
    }
    const engines = Object.values(answers.rdsEngineVersions).flat().map((v) => ({ Engine: 'postgres', EngineVersion: v }));
    writeFileSync(join(dir, 'rds-postgres.json'), JSON.stringify({ DBEngineVersions: [...engines, { Engine: 'postgres', EngineVersion: '15.15' }] }));
    writeFileSync(join(dir, 'calls'), '');
    const env = { PATH: `${dir}:${dirname(process.execPath)}:/usr/bin:/bin`, FAKE_AWS_DIR: dir, HOME: dir };
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-versions-aws.ts', ...args], { env, encoding: 'utf8', timeout: 60_000 });
    return { code: result.status, out: result.stdout, err: result.stderr, calls: readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n').filter(Boolean) };
  }

  it('exits 0 when AWS agrees, having only described things in the region asked for', () => {
    const r = run(AGREEING);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('ok   EKS 1.35: standard support until 2027-03-27, extended until 2028-03-27 (STANDARD_SUPPORT), as recorded');
    expect(r.calls.every((c) => / describe-/.test(` ${c}`) && c.includes('--region eu-west-1') && c.endsWith('--output json'))).toBe(true);
    expect(r.calls).toContain('eks describe-addon-versions --region eu-west-1 --addon-name aws-ebs-csi-driver --kubernetes-version 1.35 --output json');
  }, 60_000);

  it('exits 1 with an EDIT line for each difference', () => {
    const r = run({ ...AGREEING, rdsEngineVersions: { '16': ['16.13'], '17': ['17.7'] } });
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain('EDIT RDS PostgreSQL 16: AWS creates 16.13 and later; config/versions/rds-postgres-versions.ts says 16.11: raise the floor with its source');
  }, 60_000);

  it('exits 2 without a region, and when the AWS CLI fails', () => {
    expect(run(AGREEING, []).code).toBe(2);
    rmSync(join(dir, 'eks-cluster-versions.json'));
    writeFileSync(join(dir, 'rds-postgres.json'), '{}');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-versions-aws.ts', '--region', 'eu-west-1'], { env: { PATH: `${dir}:${dirname(process.execPath)}:/usr/bin:/bin`, FAKE_AWS_DIR: dir, HOME: dir }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('check-versions-aws: the AWS CLI failed:');
  }, 60_000);
});
