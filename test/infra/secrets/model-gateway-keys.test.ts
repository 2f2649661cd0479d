/**
 * The model gateway's keys, provider keys and database credentials in the real program under
 * Pulumi's mocks, for both shipped stacks: where each Secret goes (and where it never goes),
 * that every value is a Pulumi secret, and that no value reaches a rendered or plain input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { committedText, ofType, runShippedStack, secretData, FIXTURE_GATEWAY_SECRET_PREFIX, type ProgramRun } from '../support/program-run.ts';
import { expectNoSecretOutsideSecrets } from '../support/shared-assertions.ts';
import { RDS_CA_BUNDLE } from '../../../infra/aws/rds-ca-bundle.ts';
import { RDS_CA_FILE } from '../../../charts-synth/builders/gateway-database-setup.ts';
import { PROVIDER_KEY_ENV_NAMES } from '../../../config/model-gateway.ts';
import { MOCK_SECRET_MARKER } from '../../../infra/plan/mocks.ts';

const SECRET = 'kubernetes:core/v1:Secret';
let local: ProgramRun;
let prod: ProgramRun;
beforeAll(async () => {
  local = await runShippedStack('local');
  prod = await runShippedStack('prod');
}, 240_000);

const secretsOf = (run: ProgramRun) => ofType(run.plan, SECRET);
const secret = (run: ProgramRun, namespacedName: string) => {
  const found = secretsOf(run).filter((s) => s.name === namespacedName);
  if (found.length !== 1) throw new Error(`expected one Secret ${namespacedName}, found ${found.length}`);
  return found[0]!;
};

describe.each([['local'], ['prod']] as const)('stack %s: model gateway Secrets', (stack) => {
  const run = () => (stack === 'local' ? local : prod);

  it('gives LiteLLM its master and salt key, its provider keys and its database URL in paddock-gateway, every value a Pulumi secret', () => {
    const master = secretData(secret(run(), 'paddock-gateway/litellm-master-key'));
    expect(Object.keys(master).sort()).toEqual(['masterKey', 'saltKey']);
    expect(master.masterKey).toMatch(new RegExp(`^sk-${MOCK_SECRET_MARKER}-gateway-master-key-`));
    expect(master.saltKey).toMatch(/^sk-/);
    expect(secretData(secret(run(), 'paddock-gateway/litellm-provider-keys'))).toEqual({
      ANTHROPIC_API_KEY: `${FIXTURE_GATEWAY_SECRET_PREFIX}ANTHROPIC_API_KEY`,
      OPENAI_API_KEY: `${FIXTURE_GATEWAY_SECRET_PREFIX}OPENAI_API_KEY`,
    });
    expect(Object.keys(secretData(secret(run(), 'paddock-gateway/litellm-database')))).toEqual(['DATABASE_URL']);
  });

  it('gives the runtime\'s reconciler the master key and every team\'s key, and each team only its own key', () => {
    const admin = secretData(secret(run(), 'paddock-system/paddock-gateway-admin'));
    expect(Object.keys(admin).sort()).toEqual(['masterKey', ...run().spec.teams.map((t) => `team-${t.name}`)].sort());
    expect(admin.masterKey).toBe(secretData(secret(run(), 'paddock-gateway/litellm-master-key')).masterKey);
    const keys = new Set<string>();
    for (const team of run().spec.teams) {
      const own = secretData(secret(run(), `${team.namespace}/paddock-gateway-key`));
      expect(Object.keys(own)).toEqual(['key']);
      expect(own.key).toMatch(new RegExp(`^sk-${MOCK_SECRET_MARKER}-gateway-key-${team.name}-`));
      expect(own.key).toBe(admin[`team-${team.name}`]);
      keys.add(own.key!);
    }
    expect(keys.size).toBe(run().spec.teams.length);
  });

  it('puts no provider key and no other team\'s key in a team namespace', () => {
    const teamNamespaces = new Set(run().spec.teams.map((t) => t.namespace));
    const inTeams = secretsOf(run()).filter((s) => teamNamespaces.has(s.name.split('/')[0]!));
    const providerValues = Object.values(run().gatewaySecrets);
    expect(providerValues.length).toBe(2);
    for (const resource of inTeams) {
      const data = secretData(resource);
      for (const name of Object.keys(data)) expect(PROVIDER_KEY_ENV_NAMES, `${resource.name} holds ${name}`).not.toContain(name);
      for (const value of Object.values(data)) for (const provider of providerValues) expect(value.includes(provider), resource.name).toBe(false);
      if (resource.name.endsWith('/paddock-gateway-key')) expect(secretData(resource).key).toContain(`gateway-key-${resource.name.split('/')[0]!.replace(/^team-/, '')}-`);
    }
    // the provider keys are in exactly one Secret
    const holders = secretsOf(run()).filter((s) => Object.values(secretData(s)).some((v) => providerValues.some((p) => v.includes(p))));
    expect(holders.map((s) => s.name)).toEqual(['paddock-gateway/litellm-provider-keys']);
  });

  it('creates each gateway Secret after its namespace and before the pods that read it', () => {
    const resources = run().plan.resources;
    const deployment = resources.find((r) => r.type === 'kubernetes:apps/v1:Deployment' && r.name === 'paddock-gateway/litellm')!;
    const job = resources.find((r) => r.type === 'kubernetes:batch/v1:Job' && r.name === 'paddock-system/litellm-database-setup')!;
    const waitsFor = (r: typeof deployment) => r.options!.dependsOn.map((d) => `${d.type} ${d.name}`);
    for (const name of ['litellm-master-key', 'litellm-provider-keys', 'litellm-database']) expect(waitsFor(deployment)).toContain(`${SECRET} paddock-gateway/${name}`);
    expect(waitsFor(job)).toContain(`${SECRET} paddock-system/litellm-database-setup`);
    expect(waitsFor(secret(run(), 'paddock-gateway/litellm-master-key'))).toEqual(['kubernetes:core/v1:Namespace paddock-gateway']);
  });

  it('leaks no key into a plain input, a rendered manifest or a non-secret output', () => {
    expectNoSecretOutsideSecrets(run());
    const text = committedText(stack);
    for (const needle of [FIXTURE_GATEWAY_SECRET_PREFIX, MOCK_SECRET_MARKER, 'sk-']) expect(text.includes(needle), needle).toBe(false);
  });
});

describe('LiteLLM\'s database URL', () => {
  it('reaches the in-cluster Postgres inside the cluster on kind', () => {
    const url = new URL(secretData(secret(local, 'paddock-gateway/litellm-database')).DATABASE_URL!);
    expect(`${url.protocol}//${url.username}@${url.host}${url.pathname}?${url.searchParams.toString()}`).toBe('postgresql://litellm@paddock-postgres.paddock-system.svc.cluster.local:5432/litellm?sslmode=disable');
    expect(decodeURIComponent(url.password)).toBe(secretData(secret(local, 'paddock-system/litellm-database-setup')).password);
  });

  it('verifies the RDS server on EKS (Prisma: sslcert = the RDS CA bundle, sslaccept=strict)', () => {
    const url = new URL(secretData(secret(prod, 'paddock-gateway/litellm-database')).DATABASE_URL!);
    expect(url.username).toBe('litellm');
    expect(url.pathname).toBe('/litellm');
    expect(Object.fromEntries(url.searchParams)).toEqual({ sslmode: 'require', sslcert: RDS_CA_BUNDLE.pathInImage, sslaccept: 'strict' });
    // the chart copies the bundle out of the runtime image to that very path
    expect(RDS_CA_FILE).toBe(RDS_CA_BUNDLE.pathInImage);
  });
});

describe('stack prod: the gateway pods\' security group', () => {
  it('admits 4000 from the nodes and the runtime pods; lets out DNS, PostgreSQL and 443; gives the gateway and the database Job their groups', () => {
    const idOf = (name: string) => `${name}-mock-id`;
    const group = idOf('gateway-pods');
    const ingress = ofType(prod.plan, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.securityGroupId === group);
    expect(ingress.map((r) => `${String(r.inputs.referencedSecurityGroupId)} ${String(r.inputs.ipProtocol)}/${String(r.inputs.fromPort)}`).sort()).toEqual(['runtime-pods-mock-id tcp/4000', 'sg-0mocknodes tcp/4000']);
    const egress = ofType(prod.plan, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule').filter((r) => r.inputs.securityGroupId === group);
    expect(egress.map((r) => `${String(r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4)} ${String(r.inputs.ipProtocol)}/${String(r.inputs.fromPort)}`).sort()).toEqual(
      ['0.0.0.0/0 tcp/443', 'postgres-mock-id tcp/5432', 'sg-0mocknodes tcp/53', 'sg-0mocknodes udp/53'],
    );
    const policies = ofType(prod.plan, 'kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy');
    const byName = Object.fromEntries(policies.map((p) => [p.name, p.inputs.spec]));
    expect(byName['paddock-gateway/litellm']).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'litellm' } }, securityGroups: { groupIds: [group] } });
    expect(byName['paddock-system/litellm-database-setup']).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'litellm-database-setup' } }, securityGroups: { groupIds: [idOf('runtime-pods')] } });
  });
});
