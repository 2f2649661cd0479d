/**
 * The versions as the real program registers them (ADR 0015), for an EKS stack on a Kubernetes
 * version in extended support, run under Pulumi's mocks on a fixed day: the cluster's upgrade
 * policy follows the version's support state (EXTENDED: EKS refuses STANDARD there, and would
 * otherwise upgrade the control plane by itself), the EBS CSI add-on is EKS's default for the
 * version, and RDS runs the configured major with minor upgrades in the maintenance window.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runOfflinePlan, type OfflinePlan } from '../../infra/plan/offline-plan.ts';
import { engineConfig, planConfigFromStackFile } from '../../infra/plan/plan-config.ts';
import { loadProgramInputs } from '../../infra/program.ts';
import { EKS_DEFAULT_ADDON_PLACEHOLDER } from '../../infra/plan/mocks.ts';
import { one } from './support/program-run.ts';

const DAY = new Date('2026-12-04T12:00:00Z');
let plan: OfflinePlan;
const warnings: string[] = [];

beforeAll(async () => {
  // a small EKS stack (no teams, no gVisor) on a version in extended support
  const config = planConfigFromStackFile({
    'paddock:platform': {
      environment: 'eks',
      clusterName: 'paddock-extended',
      modelGateway: { url: 'http://litellm.litellm.svc.cluster.local:4000', inCluster: { namespace: 'litellm', podSelector: { app: 'litellm' } } },
      database: { mode: 'external', maintenanceWindow: 'wed:22:00-wed:23:00', backupWindow: '01:00-01:45' },
      eks: { region: 'eu-west-1', kubernetesVersion: '1.34', publicAccessCidrs: ['198.51.100.0/24'] },
    },
  });
  const inputs = loadProgramInputs('extended', config.config, { missingTeamSecrets: 'report', today: DAY });
  expect(inputs.eksUpgradeSupportType).toBe('EXTENDED');
  plan = await runOfflinePlan({ stack: 'extended', config: engineConfig(config.config), secretKeys: config.secretKeys, region: 'eu-west-1', today: DAY, warn: (line) => warnings.push(line) });
}, 120_000);

describe('versions in the program', () => {
  it('is EXTENDED for a version past standard support, on the version asked for', () => {
    const cluster = one(plan, 'eks:index:Cluster', 'eks').inputs;
    expect(cluster.version).toBe('1.34');
    expect(cluster.upgradePolicy).toEqual({ supportType: 'EXTENDED' });
  });

  it('is announced by the program itself (`pulumi up` logs it as a warning)', () => {
    expect(warnings).toEqual([
      'stacks/Pulumi.extended.yaml: paddock:platform.eks.kubernetesVersion: "1.34" is past EKS standard support since 2026-12-02: the cluster runs on extended support (billed per cluster hour) until 2027-12-02; use "1.35"',
    ]);
  });

  it('asks EKS for the add-on version it names default for the cluster\'s Kubernetes version', () => {
    expect(one(plan, 'aws:eks/addon:Addon', 'ebs-csi-driver').inputs.addonVersion).toBe(`${EKS_DEFAULT_ADDON_PLACEHOLDER} 1.34`);
  });

  it('runs RDS PostgreSQL 17 with minor upgrades in the configured windows, and lets a reviewed major change through', () => {
    const db = one(plan, 'aws:rds/instance:Instance', 'postgres').inputs;
    expect({ engineVersion: db.engineVersion, autoMinorVersionUpgrade: db.autoMinorVersionUpgrade, allowMajorVersionUpgrade: db.allowMajorVersionUpgrade, maintenanceWindow: db.maintenanceWindow, backupWindow: db.backupWindow }).toEqual({
      engineVersion: '17',
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: true,
      maintenanceWindow: 'wed:22:00-wed:23:00',
      backupWindow: '01:00-01:45',
    });
    expect(one(plan, 'aws:rds/parameterGroup:ParameterGroup', 'postgres').inputs.family).toBe('postgres17');
  });
});
