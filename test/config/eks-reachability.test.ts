/**
 * Reachability of an EKS stack, through the real validation (`paddock synth` and `pulumi up`
 * report the same lines): a path for `pulumi up` to the API endpoint, routes, a model gateway
 * the VPC can reach at a name that resolves, and gVisor provided where it can be.
 */
import { describe, expect, it } from 'vitest';
import { errorLines, minimalKindConfig, shippedSpec, team, validate } from '../support/fixtures.ts';

const F = 'stacks/Pulumi.test.yaml';
const P = `${F}: paddock:platform`;
const TGW = 'tgw-0123456789abcdef0';

function eksConfig(eks: Record<string, unknown>, platform: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'paddock:platform': {
      environment: 'eks',
      clusterName: 'test',
      modelGateway: { url: 'http://litellm.litellm.svc.cluster.local:4000', inCluster: { namespace: 'litellm', podSelector: { app: 'litellm' } } },
      eks: { region: 'eu-west-1', ...eks },
      ...platform,
    },
    'paddock:teams': [],
  };
}

const routedOperators = { operatorCidrs: ['10.100.0.0/16'], routes: [{ cidr: '10.100.0.0/16', transitGatewayId: TGW }] };

describe('a path for `pulumi up` to the Kubernetes API', () => {
  it('refuses a private-only endpoint with no routed operator network, explaining the choices', () => {
    const lines = errorLines(eksConfig({}));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${P}\\.eks: leaves \`pulumi up\` no way to reach the Kubernetes API: the endpoint is private \\(publicAccessCidrs is empty\\)`));
    expect(lines[0]).toContain('the runner cannot be inside the VPC');
    expect(lines[0]).toContain('eks.operatorCidrs');
    expect(lines[0]).toContain('eks.routes');
    expect(lines[0]).toContain('eks.publicAccessCidrs');
    expect(lines[0]).toContain('"How the first run works"');
  });

  it('does not count an operator range inside the VPC: that runner cannot exist before the VPC does', () => {
    expect(errorLines(eksConfig({ operatorCidrs: ['10.0.200.0/24'] }))).toEqual([expect.stringMatching(new RegExp(`^${P}\\.eks: leaves \`pulumi up\` no way`))]);
  });

  it('accepts operators on a routed network, or a public endpoint limited to egress ranges', () => {
    expect(validate(eksConfig(routedOperators)).platform.eks!.operatorCidrs).toEqual(['10.100.0.0/16']);
    expect(validate(eksConfig({ operatorCidrs: ['10.100.8.0/24'], routes: [{ cidr: '10.100.0.0/16', transitGatewayId: TGW }] })).platform.eks!.routes).toHaveLength(1);
    expect(validate(eksConfig({ publicAccessCidrs: ['198.51.100.0/24'] })).platform.eks!.publicAccessCidrs).toEqual(['198.51.100.0/24']);
  });

  it('refuses an operator network the VPC has no route back to, and operator or public ranges open to everyone', () => {
    const lines = errorLines(eksConfig({ operatorCidrs: ['10.100.0.0/16', '192.168.0.0/24', '0.0.0.0/0', '10.0.0.0/8'], routes: [{ cidr: '10.100.0.0/16', transitGatewayId: TGW }], publicAccessCidrs: ['0.0.0.0/0', '10.1.0.0/16'] }));
    expect(lines).toEqual([
      `${P}.eks.operatorCidrs[1]: "192.168.0.0/24" is outside the VPC and no eks.routes entry covers it, so the API endpoint's answers could not get back to it; add a route to it (through your transit gateway)`,
      `${P}.eks.operatorCidrs[2]: "0.0.0.0/0" admits every address to the API endpoint; list the networks operators and CI run from`,
      `${P}.eks.operatorCidrs[3]: "10.0.0.0/8" partly overlaps the VPC 10.0.0.0/16; list either a range inside the VPC or one outside it`,
      `${P}.eks.publicAccessCidrs[0]: "0.0.0.0/0" opens the Kubernetes API endpoint to the whole internet; list the egress ranges \`pulumi up\` and kubectl run from`,
      `${P}.eks.publicAccessCidrs[1]: "10.1.0.0/16" is not a public range: the public endpoint only ever sees public source addresses; admit a private network with eks.operatorCidrs and a route to it in eks.routes`,
    ]);
  });
});

describe('routes', () => {
  it('refuses default routes, routes into the VPC or the service range, overlapping routes and bad IDs', () => {
    const lines = errorLines(
      eksConfig({
        ...routedOperators,
        routes: [
          { cidr: '10.100.0.0/16', transitGatewayId: TGW },
          { cidr: '0.0.0.0/0', transitGatewayId: TGW },
          { cidr: '10.0.64.0/18', transitGatewayId: TGW },
          { cidr: '172.20.0.0/16', transitGatewayId: TGW },
          { cidr: '10.100.4.0/24', transitGatewayId: TGW },
        ],
      }),
    );
    expect(lines).toEqual([
      `${P}.eks.routes[1].cidr: "0.0.0.0/0" is a default route: it would send all traffic, internet included, to ${TGW} instead of the NAT gateways; list the networks behind the transit gateway`,
      `${P}.eks.routes[2].cidr: "10.0.64.0/18" overlaps the VPC 10.0.0.0/16; traffic to the VPC never leaves it`,
      `${P}.eks.routes[3].cidr: "172.20.0.0/16" overlaps the Kubernetes service range 172.20.0.0/16`,
      `${P}.eks.routes[4].cidr: "10.100.4.0/24" overlaps routes[0] (10.100.0.0/16); each network is routed once`,
    ]);
    expect(errorLines(eksConfig({ ...routedOperators, routes: [{ cidr: '10.100.0.0/16', transitGatewayId: 'tgw-placeholder' }] }))).toContain(
      `${P}.eks.routes[0].transitGatewayId: is not a transit gateway ID (e.g. "tgw-0123456789abcdef0")`,
    );
  });
});

describe('the model gateway on EKS', () => {
  const gateway = (modelGateway: Record<string, unknown>, eks: Record<string, unknown> = routedOperators) => eksConfig(eks, { modelGateway });

  it('refuses private gateway ranges the VPC cannot route to (the old shipped prod stack), and names that never resolve', () => {
    expect(errorLines(gateway({ url: 'https://llm-gateway.internal.example.com', cidrs: ['10.20.0.0/24'] }))).toEqual([
      `${P}.modelGateway.cidrs[0]: "10.20.0.0/24" is a private range the VPC has no route to; route it in eks.routes (through a transit gateway), use a gateway at public addresses (reached through the NAT gateways), or run the gateway in the cluster ("inCluster")`,
      `${P}.modelGateway.url: the host "llm-gateway.internal.example.com" is a name reserved for examples (RFC 2606/6761) that no resolver answers; use the gateway's real name`,
    ]);
  });

  it('refuses an address literal outside the gateway ranges', () => {
    expect(errorLines(gateway({ url: 'https://203.0.114.10', cidrs: ['203.0.113.0/24'] }))).toEqual([`${P}.modelGateway.url: the address 203.0.114.10 is not in modelGateway.cidrs, so NetworkPolicy would block sandboxes from it`]);
  });

  it('accepts a public gateway, a private one over a declared route, and one in the cluster', () => {
    expect(() => validate(gateway({ url: 'https://llm.paddock.dev', cidrs: ['203.0.113.0/24'] }))).not.toThrow();
    expect(() => validate(gateway({ url: 'https://10.100.3.7', cidrs: ['10.100.3.0/24'] }))).not.toThrow();
    expect(() => validate(eksConfig(routedOperators))).not.toThrow();
  });

  it('leaves kind stacks alone: their gateway runs next to the cluster', () => {
    expect(() => validate(minimalKindConfig())).not.toThrow();
  });
});

describe('gVisor is provided where it can be', () => {
  const gvisorTeam = team('a', { harnesses: [{ name: 'scripted', runtimeClassName: 'gvisor' }] });

  it('refuses gvisor on kind, naming what to do', () => {
    const config = minimalKindConfig([gvisorTeam]);
    (config['paddock:platform'] as Record<string, unknown>).runtimeClasses = ['gvisor'];
    expect(errorLines(config)).toEqual([
      `${F}: paddock:platform.runtimeClasses[0]: "gvisor" is not available on kind: kind nodes are Docker containers, and runsc inside them would depend on the host's kernel and Docker setup rather than on this stack; remove it (and every team's runtimeClassName: gvisor) here, or use environment "eks", where Paddock provisions a gVisor node group`,
    ]);
  });

  it('on EKS, needs the gVisor node group (and only with gvisor declared), with sizes in order', () => {
    expect(errorLines(eksConfig(routedOperators, { runtimeClasses: ['gvisor'] }))).toEqual([
      `${P}.eks.gvisorNodeGroup: is required when runtimeClasses declares "gvisor": at least runsc.release, the gVisor release its nodes install (and runsc.sha512 before \`pulumi up\`)`,
    ]);
    expect(errorLines(eksConfig({ ...routedOperators, gvisorNodeGroup: { runsc: { release: '20251006.0' } } }))).toEqual([
      `${P}.eks.gvisorNodeGroup: is set but paddock:platform.runtimeClasses does not declare "gvisor"; add it there, or remove this block`,
    ]);
    expect(errorLines(eksConfig({ ...routedOperators, gvisorNodeGroup: { minSize: 3, desiredSize: 2, runsc: { release: '20251006.0' } } }, { runtimeClasses: ['gvisor'] }))).toEqual([
      `${P}.eks.gvisorNodeGroup: needs minSize <= desiredSize <= maxSize (got 3, 2, 6)`,
    ]);
    expect(errorLines(eksConfig({ ...routedOperators, gvisorNodeGroup: { runsc: { release: 'latest', sha512: { runsc: 'abc', containerdShim: 'f'.repeat(128) } } } }, { runtimeClasses: ['gvisor'] }))).toEqual([
      `${P}.eks.gvisorNodeGroup.runsc.release: is not a gVisor release (e.g. "20251006.0")`,
      `${P}.eks.gvisorNodeGroup.runsc.sha512.runsc: is not a SHA-512 checksum (128 lower-case hex digits)`,
    ]);
  });

  it('applies the gVisor node group defaults', () => {
    const spec = validate(eksConfig({ ...routedOperators, gvisorNodeGroup: { runsc: { release: '20251006.0' } } }, { runtimeClasses: ['gvisor'] }));
    expect(spec.platform.eks!.gvisorNodeGroup).toEqual({ instanceTypes: ['m6i.xlarge'], minSize: 1, desiredSize: 2, maxSize: 6, diskSizeGb: 100, runsc: { release: '20251006.0' } });
  });
});

describe('the shipped prod stack', () => {
  it('is reachable: operators over a transit gateway route, the gateway in the cluster, a gVisor node group', () => {
    const { platform } = shippedSpec('prod');
    expect(platform.eks!.publicAccessCidrs).toEqual([]);
    expect(platform.eks!.operatorCidrs.length).toBeGreaterThan(0);
    expect(platform.eks!.routes.map((r) => r.cidr)).toEqual(expect.arrayContaining([...platform.eks!.operatorCidrs]));
    expect(platform.modelGateway.inCluster).toBeDefined();
    expect(platform.modelGateway.cidrs).toBeUndefined();
    expect(platform.runtimeClasses).toContain('gvisor');
    expect(platform.eks!.gvisorNodeGroup?.runsc.release).toMatch(/^\d{8}\.\d+$/);
  });
});
