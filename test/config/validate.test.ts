import { describe, expect, it } from 'vitest';
import { errorLines, minimalKindConfig, shippedSpec, team, validate } from '../support/fixtures.ts';

const F = 'stacks/Pulumi.test.yaml';

describe('shipped stacks', () => {
  it('local is a kind stack with two teams, in-cluster database', () => {
    const spec = shippedSpec('local');
    expect(spec.platform.environment).toBe('kind');
    expect(spec.platform.database.mode).toBe('in-cluster');
    expect(spec.teams.map((t) => t.name)).toEqual(['platform', 'web']);
  });

  it('prod is an eks stack with three teams with different harnesses, quotas and egress', () => {
    const spec = shippedSpec('prod');
    expect(spec.platform.environment).toBe('eks');
    expect(spec.platform.database.mode).toBe('external');
    expect(spec.teams).toHaveLength(3);
    expect(new Set(spec.teams.map((t) => t.harnesses.map((h) => h.name).join(','))).size).toBe(3);
    expect(new Set(spec.teams.map((t) => t.quota.cpu)).size).toBe(3);
    expect(new Set(spec.teams.map((t) => JSON.stringify(t.egress))).size).toBe(3);
  });
});

describe('defaults and sorting', () => {
  it('sorts teams, harnesses, env and secrets, and applies defaults', () => {
    const spec = validate(
      minimalKindConfig([
        team('zeta', { harnesses: [{ name: 'scripted' }], env: { B: '2', A: '1' }, secrets: ['Z_KEY', 'A_KEY'] }),
        team('alpha', { harnesses: [{ name: 'scripted', warmPool: 0 }, { name: 'codex', warmPool: 0 }], quota: { cpu: '4', memory: '8Gi', maxSandboxes: 2 } }),
      ]),
    );
    expect(spec.teams.map((t) => t.name)).toEqual(['alpha', 'zeta']);
    expect(spec.teams[0]!.harnesses.map((h) => h.name)).toEqual(['codex', 'scripted']);
    expect(Object.keys(spec.teams[1]!.env)).toEqual(['A', 'B']);
    expect(spec.teams[1]!.secrets).toEqual(['A_KEY', 'Z_KEY']);
    expect(spec.teams[1]!.harnesses[0]!.warmPool).toBe(1);
    expect(spec.teams[1]!.namespace).toBe('team-zeta');
    expect(spec.platform.runtime.replicas).toBe(2);
    expect(spec.platform.agentSandbox.version).toBe('v0.5.6');
    expect(spec.platform.network).toEqual({ podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodeCidr: '172.18.0.0/16' });
    // harness defaults apply when the team does not override resources
    expect(spec.teams[1]!.harnesses[0]!.resources.limits.cpu).toBe('200m');
  });

  it('normalises numeric quantities to strings', () => {
    const spec = validate(minimalKindConfig([team('a', { quota: { cpu: 2, memory: '2Gi', maxSandboxes: 2 } })]));
    expect(spec.teams[0]!.quota.cpu).toBe('2');
  });
});

describe('errors name the file, the path and the problem, all at once', () => {
  it('rejects a team name that is not a DNS-1123 label', () => {
    const teams = [team('a'), team('b'), team('Data Science')];
    expect(errorLines(minimalKindConfig(teams), 'stacks/Pulumi.prod.yaml')).toContain(
      'stacks/Pulumi.prod.yaml: paddock:teams[2].name: "Data Science" is not a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit)',
    );
  });

  it('rejects unknown keys, with a suggestion', () => {
    const config = minimalKindConfig([{ ...team('a'), quotas: {} }]);
    (config['paddock:platform'] as Record<string, unknown>).runtme = {};
    const lines = errorLines(config);
    expect(lines).toContain(`${F}: paddock:platform.runtme: unknown key (did you mean "runtime"?)`);
    expect(lines).toContain(`${F}: paddock:teams[0].quotas: unknown key (did you mean "quota"?)`);
  });

  it('rejects unknown paddock: config keys', () => {
    expect(errorLines({ ...minimalKindConfig(), 'paddock:team': [] })).toContain(`${F}: paddock:team: unknown key (did you mean "paddock:teams"?)`);
  });

  it('reports missing required fields', () => {
    const lines = errorLines({ 'paddock:platform': { environment: 'kind' } });
    expect(lines).toContain(`${F}: paddock:platform.clusterName: is required`);
    expect(lines).toContain(`${F}: paddock:platform.modelGateway: is required`);
  });

  it('rejects a bad enum value', () => {
    const config = minimalKindConfig();
    Object.assign(config['paddock:platform'] as Record<string, unknown>, { environment: 'gke', agentSandbox: { version: 'v0.6.0' } });
    expect(errorLines(config)).toEqual([
      `${F}: paddock:platform.agentSandbox.version: "v0.6.0" is not one of "v0.5.6"`,
      `${F}: paddock:platform.environment: "gke" is not one of "kind", "eks"`,
    ]);
  });

  it('rejects duplicate team names', () => {
    expect(errorLines(minimalKindConfig([team('a'), team('b'), team('a')]))).toContain(`${F}: paddock:teams[2].name: duplicate team name "a" (first used by paddock:teams[0])`);
  });

  it('rejects an unknown harness, naming the known ones', () => {
    expect(errorLines(minimalKindConfig([team('a', { harnesses: [{ name: 'cursor' }] })]))).toContain(`${F}: paddock:teams[0].harnesses[0].name: unknown harness "cursor" (known: claude-code, codex, scripted)`);
  });

  it('rejects a quota smaller than one sandbox', () => {
    const lines = errorLines(minimalKindConfig([team('a', { harnesses: [{ name: 'claude-code', warmPool: 0 }], quota: { cpu: '1', memory: '2Gi', maxSandboxes: 2 } })]));
    expect(lines).toContain(`${F}: paddock:teams[0].harnesses[0]: one "claude-code" sandbox needs cpu limit 2, more than the team quota cpu 1`);
    expect(lines).toContain(`${F}: paddock:teams[0].harnesses[0]: one "claude-code" sandbox needs memory limit 4Gi, more than the team quota memory 2Gi`);
  });

  it('rejects warm pools that cannot fit in the quota', () => {
    const lines = errorLines(minimalKindConfig([team('a', { harnesses: [{ name: 'claude-code', warmPool: 3 }], quota: { cpu: '5', memory: '64Gi', maxSandboxes: 2 } })]));
    expect(lines).toEqual([
      `${F}: paddock:teams[0].quota.cpu: the warm pools need cpu 6 (limits), more than the quota 5`,
      `${F}: paddock:teams[0].quota.maxSandboxes: the warm pools hold 3 sandboxes, more than maxSandboxes 2`,
    ]);
  });

  it('rejects invalid and reserved env names, and secret-looking env', () => {
    const lines = errorLines(minimalKindConfig([team('a', { harnesses: [{ name: 'codex', warmPool: 0 }], quota: { cpu: '4', memory: '8Gi', maxSandboxes: 2 }, env: { '1BAD': 'x', PADDOCK_TEAM: 'y', HOME: '/', OPENAI_BASE_URL: 'http://x', GITHUB_TOKEN: 'ghp_x' } })]));
    expect(lines).toContain(`${F}: paddock:teams[0].env["1BAD"]: "1BAD" is not a valid environment variable name (letters, digits and "_", not starting with a digit)`);
    expect(lines).toContain(`${F}: paddock:teams[0].env.PADDOCK_TEAM: "PADDOCK_TEAM" is reserved by the platform`);
    expect(lines).toContain(`${F}: paddock:teams[0].env.HOME: "HOME" is reserved by the platform`);
    expect(lines).toContain(`${F}: paddock:teams[0].env.OPENAI_BASE_URL: "OPENAI_BASE_URL" is set by the platform to the model gateway URL`);
    expect(lines.some((l) => l.startsWith(`${F}: paddock:teams[0].env.GITHUB_TOKEN: "GITHUB_TOKEN" looks like a secret`))).toBe(true);
  });

  it('rejects reserved or duplicate secret names, and names in both env and secrets', () => {
    const lines = errorLines(minimalKindConfig([team('a', { env: { SHARED: 'x' }, secrets: ['CONTAINER_ENV_X', 'SHARED', 'K', 'K'] })]));
    expect(lines).toContain(`${F}: paddock:teams[0].secrets[0]: "CONTAINER_ENV_X" uses the prefix "CONTAINER_ENV_", which is reserved by the platform`);
    expect(lines).toContain(`${F}: paddock:teams[0].secrets[3]: secret "K" is listed twice`);
    expect(lines).toContain(`${F}: paddock:teams[0].env.SHARED: "SHARED" is declared both in env and in secrets`);
  });

  it('rejects egress into the cluster networks or the metadata range', () => {
    const lines = errorLines(minimalKindConfig([team('a', { egress: [{ cidr: '169.254.169.254/32', ports: [80] }, { cidr: '10.244.3.0/24', ports: [443] }] }), team('b', { egress: [{ cidr: '10.0.0.1/8', ports: [443] }] })]));
    expect(lines).toContain(`${F}: paddock:teams[0].egress[0].cidr: "169.254.169.254/32" lies inside 169.254.0.0/16, which sandboxes may never reach (cluster network or cloud metadata)`);
    expect(lines).toContain(`${F}: paddock:teams[0].egress[1].cidr: "10.244.3.0/24" lies inside 10.244.0.0/16, which sandboxes may never reach (cluster network or cloud metadata)`);
    expect(lines).toContain(`${F}: paddock:teams[1].egress[0].cidr: "10.0.0.1/8" is not an IPv4 CIDR with its host bits zero (e.g. "203.0.113.0/24")`);
  });

  it('rejects environment/database mismatches and a missing eks block', () => {
    const config = minimalKindConfig();
    Object.assign(config['paddock:platform'] as Record<string, unknown>, { environment: 'eks', database: { mode: 'in-cluster' } });
    const lines = errorLines(config);
    expect(lines).toContain(`${F}: paddock:platform.database.mode: "in-cluster" is not available with environment "eks" (use "external": RDS PostgreSQL)`);
    expect(lines).toContain(`${F}: paddock:platform.eks: is required when environment is "eks" (at least eks.region)`);
  });

  it('rejects a model gateway without a network location, and unpinned images', () => {
    const config = minimalKindConfig();
    Object.assign(config['paddock:platform'] as Record<string, unknown>, { modelGateway: { url: 'http://gw:4000' }, runtime: { image: 'paddock/runtime:latest' } });
    const lines = errorLines(config);
    expect(lines).toContain(`${F}: paddock:platform.modelGateway: set exactly one of "cidrs" (gateway outside the cluster) or "inCluster" (gateway pods in the cluster), so NetworkPolicy can admit it`);
    expect(lines).toContain(`${F}: paddock:platform.runtime.image: "paddock/runtime:latest" uses the mutable tag "latest": pin a version tag or a digest`);
  });

  it('reports problems in valid-looking teams next to schema errors elsewhere', () => {
    const lines = errorLines(minimalKindConfig([team('Bad Name'), team('ok', { harnesses: [{ name: 'nope' }] })]));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('paddock:teams[1].harnesses[0].name: unknown harness "nope"');
  });

  it('reports a team\'s other problems next to an invalid name', () => {
    const lines = errorLines(minimalKindConfig([team('Data Science', { harnesses: [{ name: 'codx' }] }), team('Web Team')]));
    expect(lines).toEqual([
      `${F}: paddock:teams[0].harnesses[0].name: unknown harness "codx" (known: claude-code, codex, scripted)`,
      `${F}: paddock:teams[0].name: "Data Science" is not a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit)`,
      `${F}: paddock:teams[1].name: "Web Team" is not a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit)`,
    ]);
  });

  it('rejects a runtime class the cluster does not provide', () => {
    expect(errorLines(minimalKindConfig([team('a', { harnesses: [{ name: 'scripted', runtimeClassName: 'gvisor' }] })]))).toEqual([
      `${F}: paddock:teams[0].harnesses[0].runtimeClassName: "gvisor" is not among the cluster's runtime classes (paddock:platform.runtimeClasses: none declared)`,
    ]);
    // a class the cluster's owner provides (gVisor on kind is refused: eks-reachability.test.ts)
    const config = minimalKindConfig([team('a', { harnesses: [{ name: 'scripted', runtimeClassName: 'kata' }] })]);
    (config['paddock:platform'] as Record<string, unknown>).runtimeClasses = ['kata'];
    expect(validate(config).teams[0]!.harnesses[0]!.runtimeClassName).toBe('kata');
  });

  it('rejects model gateway ranges that overlap the cluster networks', () => {
    const config = minimalKindConfig();
    (config['paddock:platform'] as Record<string, unknown>).modelGateway = { url: 'http://gw:4000', cidrs: ['172.18.0.0/24', '0.0.0.0/0'] };
    expect(errorLines(config)).toEqual([
      `${F}: paddock:platform.modelGateway.cidrs[0]: "172.18.0.0/24" overlaps 172.18.0.0/16, a cluster network or the metadata range that sandboxes may never reach; a gateway running in the cluster is configured with "inCluster"`,
      `${F}: paddock:platform.modelGateway.cidrs[1]: "0.0.0.0/0" overlaps 10.244.0.0/16, a cluster network or the metadata range that sandboxes may never reach; a gateway running in the cluster is configured with "inCluster"`,
    ]);
  });

  it('rejects resources whose requests exceed limits', () => {
    const lines = errorLines(minimalKindConfig([team('a', { harnesses: [{ name: 'scripted', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '500m', memory: '1Gi' } } }] })]));
    expect(lines).toEqual([`${F}: paddock:teams[0].harnesses[0].resources.requests.cpu: request 1 exceeds the limit 500m`]);
  });
});
