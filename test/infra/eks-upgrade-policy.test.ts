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
  plan = await runOfflinePlan({ stack: 'extended', config: engineConfig(config.config), secretKeys: config.secretKeys, region: 'eu-west-1', today: DAY });
}, 120_000);

describe('EKS upgrade policy', () => {
  it('is EXTENDED for a version past standard support, on the version asked for', () => {
    const cluster = one(plan, 'eks:index:Cluster', 'eks').inputs;
    expect(cluster.version).toBe('1.34');
    expect(cluster.upgradePolicy).toEqual({ supportType: 'EXTENDED' });
  });
});
