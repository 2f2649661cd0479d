/** `paddock plan`'s "Network security" section, read back from the real program's planned resources. */
import { beforeAll, describe, expect, it } from 'vitest';
import { networkSecuritySummary } from '../../../infra/plan/network-security-summary.ts';
import { runShippedStack, type ProgramRun } from '../support/program-run.ts';

let prod: ProgramRun;
let local: ProgramRun;
beforeAll(async () => {
  prod = await runShippedStack('prod');
  local = await runShippedStack('local');
}, 180_000);

describe('network security summary', () => {
  it('shows strict network-policy mode, security groups for pods, the runtime\'s SecurityGroupPolicy and who reaches PostgreSQL on the prod stack', () => {
    expect(networkSecuritySummary(prod.plan)).toEqual([
      '  VPC CNI network policy: enforced, strict mode (a pod starts closed until its policies are programmed)',
      '  security groups for pods: on (POD_SECURITY_GROUP_ENFORCING_MODE standard)',
      '  pods with their own security group: SecurityGroupPolicy paddock-system/paddock-runtime -> runtime-pods',
      '  pods with their own security group: SecurityGroupPolicy paddock-system/litellm-database-setup -> runtime-pods',
      '  pods with their own security group: SecurityGroupPolicy paddock-gateway/litellm -> gateway-pods',
      '  PostgreSQL (RDS) on 5432 from: security group runtime-pods, security group gateway-pods',
    ]);
  });

  it('says the gateway Paddock runs comes with its NetworkPolicies (no to-do under strict mode)', () => {
    expect(networkSecuritySummary(prod.plan, prod.spec).at(-1)).toBe(
      '  model gateway: run by Paddock in paddock-gateway, with its own NetworkPolicies (in from team sandboxes and the runtime; out to DNS, its database and providers on 443)',
    );
  });

  it('says a gateway in a namespace that is not Paddock\'s needs NetworkPolicies of its own under strict mode', () => {
    const external = { ...prod.spec, platform: { ...prod.spec.platform, modelGateway: { url: 'http://litellm.litellm.svc.cluster.local:4000', port: 4000, inCluster: { namespace: 'litellm', podSelector: { 'app.kubernetes.io/name': 'litellm' } } } } };
    expect(networkSecuritySummary(prod.plan, external).at(-1)).toBe(
      '  to do: namespace litellm (the in-cluster model gateway) is not Paddock\'s; under strict mode its pods serve nothing until you give them NetworkPolicies (docs/deploying.md, "Network security on EKS")',
    );
  });

  it('says what enforces NetworkPolicy on kind', () => {
    expect(networkSecuritySummary(local.plan)).toEqual(['  kind: NetworkPolicy enforced by Calico (the kind cluster\'s CNI); no cloud security groups']);
  });
});
