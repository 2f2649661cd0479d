/** `paddock plan --stack prod`: the shipped EKS stack, planned offline (one plan per process). */
import { relative } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { runPlan } from '../../cli/plan.ts';
import type { CliIo } from '../../cli/io.ts';
import { MOCK_SECRET_MARKER } from '../../infra/plan/mocks.ts';

let out = '';
beforeAll(async () => {
  const cwd = process.cwd();
  const c = { cwd, out: '', err: '', stdout: (t: string) => void (c.out += t), stderr: (t: string) => void (c.err += t), relative: (p: string) => relative(cwd, p) || '.' } satisfies CliIo & { out: string; err: string };
  const code = await runPlan(['--stack', 'prod', '--env-file', 'test/infra/fixtures/empty.env'], c);
  expect(code, c.err).toBe(0);
  out = c.out;
}, 120_000);

it('plans the VPC, EKS, RDS and every team, honestly labelled', () => {
  expect(out).toContain('Paddock plan: stack "prod" (eks, cluster "paddock-prod")');
  expect(out).toContain('not a cloud diff');
  expect(out).toMatch(/^ {4}eks:index:Cluster {2}eks {2}\(remote component: its provider creates the resources inside at `pulumi up`\)$/m);
  expect(out).toMatch(/^ +6 {2}aws:ec2\/subnet:Subnet$/m);
  expect(out).toMatch(/^ +1 {2}aws:rds\/instance:Instance$/m);
  for (const team of ['data-science', 'payments', 'web-platform']) expect(out).toContain(`paddock:kubernetes:Chart  team-${team}`);
  expect(out).toContain('paddock-system/paddock-database  keys: url');
  expect(out).not.toContain('paddock-postgres-auth');
  expect(out).not.toContain(MOCK_SECRET_MARKER);
});

it('shows how the cluster is reached, the routes, the in-cluster gateway and the gVisor node group, and what to pin first', () => {
  expect(out).toContain('Reachability:\n  Kubernetes API endpoint: private only\n');
  expect(out).toMatch(/^ {2}operators and `pulumi up` \(443 on the private endpoint\): 10\.100\.0\.0\/16 via tgw-[0-9a-f]+ \(corporate VPN and CI runners\)$/m);
  expect(out).toMatch(/^ {2}route: 10\.100\.0\.0\/16 -> tgw-[0-9a-f]+ from every private subnet/m);
  expect(out).toContain('  model gateway: http://litellm.paddock-gateway.svc.cluster.local:4000, run by Paddock in the cluster (namespace paddock-gateway, LiteLLM ghcr.io/berriai/litellm-database:v1.108.23, 3 models)');
  expect(out).toMatch(/^ {2}runtime class gvisor: node group gvisor-nodes \(m6i\.2xlarge, 1-6 nodes, tainted\) installing runsc \d{8}\.\d+ \(x86_64\), RuntimeClass gvisor \(handler runsc\)$/m);
  expect(out).toMatch(/^ {4}aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule {2}api-from-operators-0$/m);
  expect(out).toMatch(/^ {4}aws:ec2transitgateway\/vpcAttachment:VpcAttachment {2}tgw-[0-9a-f]+$/m);
  expect(out).toMatch(/^ {4}aws:ec2\/route:Route {2}route-0-private-2$/m);
  expect(out).toMatch(/^ {4}paddock:aws:GvisorNodeGroup {2}gvisor {2}\[3\]$/m);
  expect(out).toMatch(/^ {6}eks:index:ManagedNodeGroup {2}gvisor-nodes {2}\(remote component/m);
  expect(out).toMatch(/^ {6}kubernetes:node\.k8s\.io\/v1:RuntimeClass {2}gvisor$/m);
  expect(out).toMatch(/- eks\.gvisorNodeGroup\.runsc\.sha512 is not set: pin the checksums of gVisor \d{8}\.\d+ \(x86_64\) in stacks\/Pulumi\.prod\.yaml \(planned with placeholder checksums no download matches\):\n {6}scripts\/gvisor-checksums\.sh \d{8}\.\d+ x86_64\n/);
});
