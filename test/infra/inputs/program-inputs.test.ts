/**
 * Every config error path of the Pulumi program: schema (the same messages as synth), .env,
 * CONTAINER_ENV_, team secrets and EKS network checks — all reported at once, each naming its
 * file and key or line, none quoting a secret value.
 */
import { describe, expect, it } from 'vitest';
import { parseDotenv, DotenvError } from '../../../config/dotenv.ts';
import { ProgramInputError, resolveProgramInputs, type ProgramInputs, type ProgramSources } from '../../../infra/inputs/program-inputs.ts';
import { harnessRegistry, minimalKindConfig, team } from '../../support/fixtures.ts';

const SECRET_VALUE = 'sk-live-do-not-print-0192';
/** the day versions are checked on: 1.35 in standard support, 1.32-1.34 in extended, 1.31 past it */
const CHECK_DAY = new Date('2026-12-04T09:00:00Z');

function sources(config: Record<string, unknown>, envFiles: Record<string, string> = {}, extra: Partial<ProgramSources> = {}): ProgramSources {
  return {
    stack: 'test',
    config,
    registry: harnessRegistry(),
    today: CHECK_DAY,
    readEnvFile: (path, required) => {
      const text = envFiles[path];
      if (text === undefined) {
        if (required) throw new DotenvError(path, [{ message: 'file does not exist' }]);
        return [];
      }
      return parseDotenv(text, path);
    },
    ...extra,
  };
}

function resolve(config: Record<string, unknown>, envFiles: Record<string, string> = {}, extra: Partial<ProgramSources> = {}): ProgramInputs {
  return resolveProgramInputs(sources(config, envFiles, extra));
}

function lines(config: Record<string, unknown>, envFiles: Record<string, string> = {}, extra: Partial<ProgramSources> = {}): string[] {
  try {
    resolve(config, envFiles, extra);
  } catch (error) {
    expect(error).toBeInstanceOf(ProgramInputError);
    const result = (error as ProgramInputError).lines;
    expect(result.join('\n')).not.toContain(SECRET_VALUE);
    return [...result];
  }
  throw new Error('expected the inputs to be rejected');
}

const withSecret = (name = 'OPENAI_API_KEY') => minimalKindConfig([team('web', { secrets: [name] })]);

function eksConfig(eks: Record<string, unknown>, network?: Record<string, unknown>): Record<string, unknown> {
  return {
    'paddock:platform': {
      environment: 'eks',
      clusterName: 'prod',
      modelGateway: { url: 'https://gateway.paddock.dev', cidrs: ['203.0.113.0/24'] },
      eks: { region: 'eu-west-1', publicAccessCidrs: ['198.51.100.0/24'], ...eks },
      ...(network ? { network } : {}),
    },
  };
}

describe('resolveProgramInputs: valid input', () => {
  it('returns the spec, the CONTAINER_ENV_ variables and no missing secrets', () => {
    const inputs = resolve({ ...withSecret(), 'paddock:teamSecrets': { web: { OPENAI_API_KEY: SECRET_VALUE } } }, { '.env': 'CONTAINER_ENV_A=1\nOTHER=2' });
    expect(inputs.spec.teams.map((t) => t.name)).toEqual(['web']);
    expect(inputs.containerEnv).toEqual({ A: '1' });
    expect(inputs.envFile).toBe('.env');
    expect(inputs.stackFile).toBe('stacks/Pulumi.test.yaml');
    expect(inputs.missingTeamSecrets).toEqual([]);
  });

  it('accepts numbers and booleans as secret text (pulumi config set --path stores them typed)', () => {
    expect(() => resolve({ ...withSecret('PIN'), 'paddock:teamSecrets': { web: { PIN: 1234 } } })).not.toThrow();
  });

  it('reads the .env file the config names', () => {
    const inputs = resolve({ ...minimalKindConfig(), 'paddock:envFile': 'config/dev.env' }, { 'config/dev.env': 'CONTAINER_ENV_B=2' });
    expect(inputs.envFile).toBe('config/dev.env');
    expect(inputs.containerEnv).toEqual({ B: '2' });
  });
});

describe('resolveProgramInputs: stack config (same schema and messages as synth)', () => {
  it('reports schema problems with the stack file and path', () => {
    expect(lines({ ...minimalKindConfig(), 'paddock:team': [] })).toEqual(['stacks/Pulumi.test.yaml: paddock:team: unknown key (did you mean "paddock:teams"?)']);
  });

  it('reports a missing platform', () => {
    expect(lines({})).toEqual(['stacks/Pulumi.test.yaml: paddock:platform: is required']);
  });

  it('names a custom stack file when told', () => {
    expect(lines({}, {}, { stackFile: 'elsewhere/Pulumi.test.yaml' })).toEqual(['elsewhere/Pulumi.test.yaml: paddock:platform: is required']);
  });
});

describe('resolveProgramInputs: .env and CONTAINER_ENV_', () => {
  it('reports malformed lines and duplicate keys by line', () => {
    expect(lines(minimalKindConfig(), { '.env': `CONTAINER_ENV_A=1\nnot an assignment ${SECRET_VALUE}\nCONTAINER_ENV_A=${SECRET_VALUE}` })).toEqual([
      '.env:2: expected KEY=VALUE (or a # comment)',
      '.env:3: duplicate key "CONTAINER_ENV_A" (first set on line 1)',
    ]);
  });

  it('reports reserved CONTAINER_ENV_ names', () => {
    expect(lines(minimalKindConfig(), { '.env': `CONTAINER_ENV_PADDOCK_SANDBOX_TOKEN=${SECRET_VALUE}` })).toEqual([
      '.env:1: "CONTAINER_ENV_PADDOCK_SANDBOX_TOKEN" cannot be passed to sandboxes: "PADDOCK_SANDBOX_TOKEN" is reserved by the platform',
    ]);
  });

  it('accepts a missing default .env, but not a missing configured one', () => {
    expect(resolve(minimalKindConfig()).containerEnv).toEqual({});
    expect(lines({ ...minimalKindConfig(), 'paddock:envFile': 'missing.env' })).toEqual(['missing.env: file does not exist']);
  });
});

describe('resolveProgramInputs: team secrets', () => {
  it('reports a declared secret without a value, with the command that sets it', () => {
    expect(lines(withSecret())).toEqual([
      "stacks/Pulumi.test.yaml: paddock:teamSecrets.web.OPENAI_API_KEY: team \"web\" declares secret \"OPENAI_API_KEY\" but no value is set: pulumi config set -s test --secret --path 'paddock:teamSecrets.web.OPENAI_API_KEY' <value>",
    ]);
  });

  it('lists declared secrets without a value instead, when asked to (paddock plan)', () => {
    expect(resolve(withSecret(), {}, { missingTeamSecrets: 'report' }).missingTeamSecrets).toEqual([{ team: 'web', name: 'OPENAI_API_KEY' }]);
  });

  it('reports a value for a name the team does not declare', () => {
    expect(lines({ ...withSecret(), 'paddock:teamSecrets': { web: { OPENAI_API_KEY: SECRET_VALUE, EXTRA: SECRET_VALUE } } })).toEqual([
      "stacks/Pulumi.test.yaml: paddock:teamSecrets.web.EXTRA: team \"web\" does not declare secret \"EXTRA\" (add it to its \"secrets\" list, or remove the value with `pulumi config rm -s test --path 'paddock:teamSecrets.web.EXTRA'`)",
    ]);
  });

  it('reports values for an unknown team', () => {
    expect(lines({ ...minimalKindConfig([team('web')]), 'paddock:teamSecrets': { mobile: { KEY: SECRET_VALUE } } })).toEqual([
      'stacks/Pulumi.test.yaml: paddock:teamSecrets.mobile: no team "mobile" in paddock:teams (teams: web)',
    ]);
  });

  it('reports a reserved name', () => {
    expect(lines({ ...minimalKindConfig([team('web')]), 'paddock:teamSecrets': { web: { PADDOCK_TEAM: SECRET_VALUE } } })).toEqual([
      'stacks/Pulumi.test.yaml: paddock:teamSecrets.web.PADDOCK_TEAM: "PADDOCK_TEAM" is reserved by the platform; a team secret cannot set it',
    ]);
  });

  it('reports values that are not text, or empty', () => {
    expect(lines({ ...minimalKindConfig([team('web', { secrets: ['A', 'B'] })]), 'paddock:teamSecrets': { web: { A: { nested: SECRET_VALUE }, B: '' } } })).toEqual([
      'stacks/Pulumi.test.yaml: paddock:teamSecrets.web.A: expected the secret as text, got a mapping',
      'stacks/Pulumi.test.yaml: paddock:teamSecrets.web.B: is empty',
    ]);
  });

  it('reports a malformed teamSecrets without quoting it', () => {
    expect(lines({ ...minimalKindConfig([team('web')]), 'paddock:teamSecrets': SECRET_VALUE })).toEqual([
      'stacks/Pulumi.test.yaml: paddock:teamSecrets: expected a mapping of team name to secret values, got string',
    ]);
    expect(lines({ ...withSecret(), 'paddock:teamSecrets': { web: SECRET_VALUE } })).toEqual([
      'stacks/Pulumi.test.yaml: paddock:teamSecrets.web: expected a mapping of variable name to secret value, got string',
      "stacks/Pulumi.test.yaml: paddock:teamSecrets.web.OPENAI_API_KEY: team \"web\" declares secret \"OPENAI_API_KEY\" but no value is set: pulumi config set -s test --secret --path 'paddock:teamSecrets.web.OPENAI_API_KEY' <value>",
    ]);
  });
});

describe('resolveProgramInputs: EKS network and node group', () => {
  it('accepts the defaults', () => {
    expect(() => resolve(eksConfig({}))).not.toThrow();
  });

  it('rejects a VPC too small for the subnet plan, or outside RFC 1918', () => {
    expect(lines(eksConfig({ vpcCidr: '10.0.0.0/24' }))).toEqual(['stacks/Pulumi.test.yaml: paddock:platform.eks.vpcCidr: "10.0.0.0/24" must be a /16 to /22 (AWS allows /16 at most; a private and a public subnet per zone need the room)']);
    expect(lines(eksConfig({ vpcCidr: '100.64.0.0/16' }))).toEqual(['stacks/Pulumi.test.yaml: paddock:platform.eks.vpcCidr: "100.64.0.0/16" is not a private (RFC 1918) range']);
  });

  it('rejects a service range EKS would refuse', () => {
    expect(lines(eksConfig({}, { serviceCidr: '10.0.128.0/20' }))).toEqual(['stacks/Pulumi.test.yaml: paddock:platform.network.serviceCidr: "10.0.128.0/20" overlaps the VPC 10.0.0.0/16; EKS needs a Kubernetes service range outside the VPC']);
  });

  it('rejects an aws:region that is not eks.region, where everything is created', () => {
    expect(lines({ ...eksConfig({ kubernetesVersion: '1.35' }), 'aws:region': 'us-east-1' })).toEqual([
      'stacks/Pulumi.test.yaml: aws:region: "us-east-1" differs from paddock:platform.eks.region "eu-west-1", where Paddock creates everything; set both to the same region, or remove aws:region',
    ]);
    expect(resolve({ ...eksConfig({}), 'aws:region': 'eu-west-1' }).spec.platform.eks!.region).toBe('eu-west-1');
  });

  it('rejects a Kubernetes version past extended support or without data, and warns for one in extended support', () => {
    expect(lines(eksConfig({ kubernetesVersion: '1.27' }))).toEqual([
      'stacks/Pulumi.test.yaml: paddock:platform.eks.kubernetesVersion: "1.27" is not a Kubernetes version Paddock knows on EKS (1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36; config/versions/eks-kubernetes-versions.ts); use "1.35"',
    ]);
    expect(lines(eksConfig({ kubernetesVersion: '1.31' }))).toEqual([
      'stacks/Pulumi.test.yaml: paddock:platform.eks.kubernetesVersion: "1.31" is past EKS extended support since 2026-11-26: EKS no longer creates clusters on it and upgrades existing ones by itself; use "1.35"',
    ]);
    const extended = resolve(eksConfig({ kubernetesVersion: '1.32' }));
    expect(extended.eksUpgradeSupportType).toBe('EXTENDED');
    expect(extended.versionWarnings).toEqual([
      'stacks/Pulumi.test.yaml: paddock:platform.eks.kubernetesVersion: "1.32" is past EKS standard support since 2026-03-23: the cluster runs on extended support (billed per cluster hour) until 2027-03-23; use "1.35"',
    ]);
    const standard = resolve(eksConfig({ kubernetesVersion: '1.35' }));
    expect(standard.eksUpgradeSupportType).toBe('STANDARD');
    expect(standard.versionWarnings).toEqual([]);
  });

  it('rejects a node group mixing architectures, or with sizes out of order', () => {
    expect(lines(eksConfig({ nodeGroup: { instanceTypes: ['m7g.large', 'm6i.large'], minSize: 4, desiredSize: 3, maxSize: 6, diskSizeGb: 50 } }))).toEqual([
      'stacks/Pulumi.test.yaml: paddock:platform.eks.nodeGroup: needs minSize <= desiredSize <= maxSize (got 4, 3, 6)',
      'stacks/Pulumi.test.yaml: paddock:platform.eks.nodeGroup.instanceTypes: mixes Arm (m7g.large) and x86 instance types; one node group runs one architecture',
    ]);
  });
});

describe('resolveProgramInputs: all at once', () => {
  it('reports problems of the stack file and the .env file together, creating nothing', () => {
    const result = lines({ ...minimalKindConfig([team('web', { secrets: ['KEY'] })]), 'paddock:teams': [team('web', { secrets: ['KEY'], quota: { cpu: 'lots', memory: '1Gi', maxSandboxes: 1 } })] }, { '.env': 'broken' });
    expect(result).toContain('.env:1: expected KEY=VALUE (or a # comment)');
    expect(result.some((l) => l.startsWith('stacks/Pulumi.test.yaml: paddock:teams[0].quota.cpu:'))).toBe(true);
  });
});
