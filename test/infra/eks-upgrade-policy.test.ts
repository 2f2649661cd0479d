/**
 * The EKS cluster's upgrade policy follows its Kubernetes version's support state on the day of
 * the run (ADR 0015): an EKS stack on a version in extended support, run by the real program
 * under Pulumi's mocks on a fixed day, gets EXTENDED (EKS refuses STANDARD there,
 * and would otherwise upgrade the control plane by itself).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runOfflinePlan, type OfflinePlan } from '../../infra/plan/offline-plan.ts';
import { engineConfig, planConfigFromStackFile } from '../../infra/plan/plan-config.ts';
import { loadProgramInputs } from '../../infra/program.ts';
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
      database: { mode: 'external' },
      eks: { region: 'eu-west-1', kubernetesVersion: '1.34', publicAccessCidrs: ['198.51.100.0/24'] },
    },
  });
  const inputs = loadProgramInputs('extended', config.config, { missingTeamSecrets: 'report', today: DAY });
  expect(inputs.eksUpgradeSupportType).toBe('EXTENDED');
  plan = await runOfflinePlan({ stack: 'extended', config: engineConfig(config.config), secretKeys: config.secretKeys, region: 'eu-west-1', today: DAY, warn: (line) => warnings.push(line) });
}, 120_000);

describe('EKS upgrade policy', () => {
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
});
