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
