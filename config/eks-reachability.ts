/**
 * Can the things an EKS stack must reach actually be reached? Pure checks of the config:
 *
 * - `pulumi up` itself: the program creates the VPC and the cluster, then applies Kubernetes
 *   objects through the cluster's API endpoint in the same run. With a private-only endpoint
 *   (`publicAccessCidrs: []`) the endpoint's ENIs live in a VPC that did not exist when the run
 *   started, so nothing already inside it can be the runner; only a network the VPC routes to
 *   (`eks.routes`, through a transit gateway) and admitted on 443 (`eks.operatorCidrs`) can.
 *   Otherwise the public endpoint must be opened to the runner's egress ranges, never to all.
 * - the model gateway, when it runs outside the cluster: the VPC reaches public addresses
 *   through its NAT gateways, and private ones only over a declared route.
 * - the gateway's name: a reserved example name (RFC 2606 / RFC 6761) never resolves.
 */
import { cidrContains, cidrsOverlap, parseCidr, type Ipv4Cidr } from './cidr.ts';
import type { ConfigProblem } from './errors.ts';
import type { EksSpec, ModelGatewaySpec, NetworkSpec } from './platform-spec.ts';
import { quoted } from './primitives.ts';

const P = 'paddock:platform';

/** Address ranges that are not routed on the internet, so NAT cannot reach them. */
const NOT_PUBLIC = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3'].map((c) => parseCidr(c)!);

/** Names reserved for documentation and testing: no resolver answers for them. */
const RESERVED_NAME = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)\.?$/i;

export function isPublicRange(range: Ipv4Cidr): boolean {
  return !NOT_PUBLIC.some((reserved) => cidrsOverlap(reserved, range));
}

export interface ReachabilityInput {
  readonly eks: EksSpec;
  readonly network: NetworkSpec;
  readonly modelGateway: ModelGatewaySpec;
}

/** The route (by index) whose destination contains `range`, if any. */
function routeCovering(eks: EksSpec, range: Ipv4Cidr): number | undefined {
  const index = eks.routes.findIndex((r) => {
    const destination = parseCidr(r.cidr);
    return destination !== undefined && cidrContains(destination, range);
  });
  return index < 0 ? undefined : index;
}

export function checkEksReachability({ eks, network, modelGateway }: ReachabilityInput): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const vpc = parseCidr(eks.vpcCidr);
  const service = parseCidr(network.serviceCidr);
  if (!vpc) return problems; // the schema already reported it

  eks.routes.forEach((route, i) => {
    const at = [P, 'eks', 'routes', i, 'cidr'];
    const destination = parseCidr(route.cidr);
    if (!destination) return;
    if (destination.prefix === 0) {
      problems.push({ path: at, message: `${quoted(route.cidr)} is a default route: it would send all traffic, internet included, to ${route.transitGatewayId} instead of the NAT gateways; list the networks behind the transit gateway` });
      return;
    }
    if (cidrsOverlap(destination, vpc)) problems.push({ path: at, message: `${quoted(route.cidr)} overlaps the VPC ${eks.vpcCidr}; traffic to the VPC never leaves it` });
    if (service && cidrsOverlap(destination, service)) problems.push({ path: at, message: `${quoted(route.cidr)} overlaps the Kubernetes service range ${network.serviceCidr}` });
    const earlier = eks.routes.findIndex((other, j) => {
      const range = parseCidr(other.cidr);
      return j < i && range !== undefined && range.prefix > 0 && cidrsOverlap(range, destination);
    });
    if (earlier >= 0) problems.push({ path: at, message: `${quoted(route.cidr)} overlaps routes[${earlier}] (${eks.routes[earlier]!.cidr}); each network is routed once` });
  });

  eks.publicAccessCidrs.forEach((text, i) => {
    const range = parseCidr(text);
    if (!range) return;
    const at = [P, 'eks', 'publicAccessCidrs', i];
    if (range.prefix === 0) problems.push({ path: at, message: `${quoted(text)} opens the Kubernetes API endpoint to the whole internet; list the egress ranges \`pulumi up\` and kubectl run from` });
    else if (!isPublicRange(range)) problems.push({ path: at, message: `${quoted(text)} is not a public range: the public endpoint only ever sees public source addresses; admit a private network with eks.operatorCidrs and a route to it in eks.routes` });
  });

  let routedOperators = 0;
  eks.operatorCidrs.forEach((text, i) => {
    const range = parseCidr(text);
    if (!range) return;
    const at = [P, 'eks', 'operatorCidrs', i];
    if (range.prefix === 0) {
      problems.push({ path: at, message: `${quoted(text)} admits every address to the API endpoint; list the networks operators and CI run from` });
      return;
    }
    if (cidrContains(vpc, range)) return; // a runner inside the VPC (usable once the VPC exists)
    if (cidrsOverlap(vpc, range)) {
      problems.push({ path: at, message: `${quoted(text)} partly overlaps the VPC ${eks.vpcCidr}; list either a range inside the VPC or one outside it` });
      return;
    }
    if (routeCovering(eks, range) === undefined) {
      problems.push({ path: at, message: `${quoted(text)} is outside the VPC and no eks.routes entry covers it, so the API endpoint's answers could not get back to it; add a route to it (through your transit gateway)` });
      return;
    }
    routedOperators++;
  });

  if (eks.publicAccessCidrs.length === 0 && routedOperators === 0) {
    problems.push({
      path: [P, 'eks'],
      message:
        'leaves `pulumi up` no way to reach the Kubernetes API: the endpoint is private (publicAccessCidrs is empty) and no eks.operatorCidrs entry is a network the VPC routes to. ' +
        'The program creates the VPC and then applies Kubernetes objects in the same run, so the runner cannot be inside the VPC. Either list the network `pulumi up` runs from in eks.operatorCidrs ' +
        'and route it in eks.routes (a transit gateway to your VPN or CI network), or open the public endpoint to your egress ranges only in eks.publicAccessCidrs (see docs/deploying.md, "How the first run works")',
    });
  }

  (modelGateway.cidrs ?? []).forEach((text, i) => {
    const range = parseCidr(text);
    if (!range || cidrsOverlap(range, vpc)) return; // the VPC overlap is reported with the cluster networks
    if (isPublicRange(range) || routeCovering(eks, range) !== undefined) return;
    problems.push({
      path: [P, 'modelGateway', 'cidrs', i],
      message: `${quoted(text)} is a private range the VPC has no route to; route it in eks.routes (through a transit gateway), use a gateway at public addresses (reached through the NAT gateways), or run the gateway in the cluster ("inCluster")`,
    });
  });
  return problems;
}

/** A gateway URL whose host can never resolve, or an address outside the ranges sandboxes may reach. */
export function checkModelGatewayHost(modelGateway: ModelGatewaySpec): ConfigProblem[] {
  const at = [P, 'modelGateway', 'url'];
  const host = new URL(modelGateway.url).hostname;
  if (RESERVED_NAME.test(host)) return [{ path: at, message: `the host ${quoted(host)} is a name reserved for examples (RFC 2606/6761) that no resolver answers; use the gateway's real name` }];
  const address = parseCidr(`${host}/32`);
  if (address && modelGateway.cidrs && !modelGateway.cidrs.some((c) => parseCidr(c) !== undefined && cidrContains(parseCidr(c)!, address))) {
    return [{ path: at, message: `the address ${host} is not in modelGateway.cidrs, so NetworkPolicy would block sandboxes from it` }];
  }
  return [];
}
