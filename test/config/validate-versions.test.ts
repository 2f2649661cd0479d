/**
 * Issue 18 §1 and §4 at validation: the defaults that AWS and kind still create (taken from
 * config/versions/), the RDS maintenance and backup windows, and aws:region against eks.region.
 */
import { describe, expect, it } from 'vitest';
import { parseStackFile } from '../../config/stack-file.ts';
import { errorLines, shippedSpec, validate } from '../support/fixtures.ts';

const F = 'stacks/Pulumi.test.yaml';

function eksConfig(database: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'paddock:platform': {
      environment: 'eks',
      clusterName: 'prod',
      modelGateway: { url: 'http://litellm.litellm.svc.cluster.local:4000', inCluster: { namespace: 'litellm', podSelector: { app: 'litellm' } } },
      database: { mode: 'external', ...database },
      eks: { region: 'eu-west-1', publicAccessCidrs: ['198.51.100.0/24'] },
    },
    ...extra,
  };
}

describe('defaults from config/versions/', () => {
  it('an EKS stack gets Kubernetes 1.35 and RDS PostgreSQL 17 with automatic minor upgrades in a maintenance window', () => {
    const spec = validate(eksConfig());
    expect(spec.platform.eks!.kubernetesVersion).toBe('1.35');
    expect(spec.platform.database).toMatchObject({ mode: 'external', engineVersion: '17', autoMinorVersionUpgrade: true, maintenanceWindow: 'sun:03:30-sun:04:30', backupWindow: '02:00-03:00' });
  });

  it('an EKS stack that names no database gets the same RDS defaults', () => {
    const config = eksConfig();
    delete (config['paddock:platform'] as Record<string, unknown>).database;
    expect(validate(config).platform.database).toMatchObject({ engineVersion: '17', autoMinorVersionUpgrade: true, maintenanceWindow: 'sun:03:30-sun:04:30' });
  });

  it('a kind stack gets PostgreSQL 17 in the cluster and a kindest/node 1.35 by digest', () => {
    const spec = shippedSpec('local');
    expect(spec.platform.database).toMatchObject({ mode: 'in-cluster', image: 'docker.io/library/postgres:17.9-alpine3.23' });
    expect(spec.platform.kind!.nodeImage).toBe('kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f');
  });

  it('the shipped prod stack asks for versions that are creatable today', () => {
    const spec = shippedSpec('prod');
    expect(spec.platform.eks!.kubernetesVersion).toBe('1.35');
    expect(spec.platform.database).toMatchObject({ engineVersion: '17', autoMinorVersionUpgrade: true });
  });
});

describe('RDS maintenance and backup windows', () => {
  it('rejects malformed, too short and overlapping windows, naming the key', () => {
    expect(errorLines(eksConfig({ maintenanceWindow: 'Sunday 03:00' }))).toEqual([`${F}: paddock:platform.database.maintenanceWindow: "Sunday 03:00" is not a maintenance window "ddd:hh24:mi-ddd:hh24:mi" in UTC (e.g. "sun:03:30-sun:04:30")`]);
    expect(errorLines(eksConfig({ backupWindow: '02:00-02:15' }))).toEqual([`${F}: paddock:platform.database.backupWindow: "02:00-02:15" is 15 minutes long; RDS needs at least 30`]);
    expect(errorLines(eksConfig({ maintenanceWindow: 'mon:02:30-mon:03:30', backupWindow: '02:00-03:00' }))).toEqual([
      `${F}: paddock:platform.database.backupWindow: "02:00-03:00" overlaps the maintenance window "mon:02:30-mon:03:30"; RDS needs them apart (each at least 30 minutes)`,
    ]);
  });

  it('accepts windows that touch but do not overlap', () => {
    expect(validate(eksConfig({ maintenanceWindow: 'mon:03:00-mon:04:00', backupWindow: '02:00-03:00' })).platform.database).toMatchObject({ maintenanceWindow: 'mon:03:00-mon:04:00' });
  });
});

describe('aws:region and eks.region: one source of truth, or an error', () => {
  it('rejects an aws:region that differs from eks.region', () => {
    expect(errorLines(eksConfig({}, { 'aws:region': 'us-east-1' }))).toEqual([
      `${F}: aws:region: "us-east-1" differs from paddock:platform.eks.region "eu-west-1", where Paddock creates everything; set both to the same region, or remove aws:region`,
    ]);
  });

  it('accepts the same region, no aws:region, and any aws:region on a kind stack', () => {
    expect(validate(eksConfig({}, { 'aws:region': 'eu-west-1' })).platform.eks!.region).toBe('eu-west-1');
    expect(validate(eksConfig()).platform.eks!.region).toBe('eu-west-1');
    expect(shippedSpec('local').platform.environment).toBe('kind');
  });

  it('reads aws:region from the stack file, and ignores the other provider keys', () => {
    const file = parseStackFile('config:\n  aws:region: us-east-1\n  aws:profile: ops\n  kubernetes:context: x\n  paddock:platform: {}\n', F, 'test');
    expect(file.config).toEqual({ 'aws:region': 'us-east-1', 'paddock:platform': {} });
  });
});
