/**
 * The VPC's address plan, pure: the VPC is cut into eight equal blocks; the first one per
 * availability zone holds that zone's private subnet (nodes, pods through the VPC CNI, RDS),
 * and the last block is cut again into eight for the small public subnets (NAT gateways, and
 * load balancers should a team ever publish one). For a /16: private /19s, public /22s.
 */
import { cidrsOverlap, parseCidr, type Ipv4Cidr } from '../../config/cidr.ts';
import type { ConfigProblem } from '../../config/errors.ts';
import type { EksSpec, NetworkSpec } from '../../config/platform-spec.ts';

export interface SubnetPlan {
  readonly private: readonly string[];
  readonly public: readonly string[];
}

/** Most AZs a plan supports: eight blocks, one kept for the public subnets. */
export const MAX_ZONES = 7;
/** The smallest VPC the plan fits: public subnets are /VPC+6 and AWS subnets are at most /28. */
export const MAX_VPC_PREFIX = 22;
export const MIN_VPC_PREFIX = 16;

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => parseCidr(c)!);

function format(network: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

function split(cidr: Ipv4Cidr, extraBits: number): { network: number; prefix: number }[] {
  const prefix = cidr.prefix + extraBits;
  const size = 2 ** (32 - prefix);
  return Array.from({ length: 2 ** extraBits }, (_, i) => ({ network: cidr.network + i * size, prefix }));
}

export function planSubnets(vpcCidr: string, zones: number): SubnetPlan {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) throw new Error(`"${vpcCidr}" is not an IPv4 CIDR`);
  if (vpc.prefix < MIN_VPC_PREFIX || vpc.prefix > MAX_VPC_PREFIX) throw new Error(`VPC ${vpcCidr}: the prefix must be /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}`);
  if (zones < 1 || zones > MAX_ZONES) throw new Error(`between 1 and ${MAX_ZONES} availability zones, not ${zones}`);
  const blocks = split(vpc, 3);
  const publicBlock = blocks[7]!;
  const publicSubnets = split({ text: '', network: publicBlock.network, prefix: publicBlock.prefix }, 3);
  return {
    private: blocks.slice(0, zones).map((b) => format(b.network, b.prefix)),
    public: publicSubnets.slice(0, zones).map((b) => format(b.network, b.prefix)),
  };
}

/**
 * What the schema cannot see about an EKS network: a VPC the plan fits in, a private range,
 * and a Kubernetes service range EKS accepts (RFC 1918, /12 to /24, not overlapping the VPC).
 */
export function checkVpcCidr(eks: EksSpec, network?: NetworkSpec): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = ['paddock:platform', 'eks', 'vpcCidr'];
  const vpc = parseCidr(eks.vpcCidr);
  if (!vpc) return problems; // the schema already reported it
  if (vpc.prefix < MIN_VPC_PREFIX || vpc.prefix > MAX_VPC_PREFIX) problems.push({ path: at, message: `"${eks.vpcCidr}" must be a /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX} (AWS allows /16 at most; a private and a public subnet per zone need the room)` });
  if (!RFC1918.some((r) => cidrsOverlap(r, vpc) && r.prefix <= vpc.prefix)) problems.push({ path: at, message: `"${eks.vpcCidr}" is not a private (RFC 1918) range` });
  if (network) {
    const service = parseCidr(network.serviceCidr);
    const serviceAt = ['paddock:platform', 'network', 'serviceCidr'];
    if (service) {
      if (cidrsOverlap(service, vpc)) problems.push({ path: serviceAt, message: `"${network.serviceCidr}" overlaps the VPC ${eks.vpcCidr}; EKS needs a Kubernetes service range outside the VPC` });
      if (service.prefix < 12 || service.prefix > 24) problems.push({ path: serviceAt, message: `"${network.serviceCidr}" must be a /12 to /24 for EKS` });
      if (!RFC1918.some((r) => r.prefix <= service.prefix && cidrsOverlap(r, service))) problems.push({ path: serviceAt, message: `"${network.serviceCidr}" is not a private (RFC 1918) range, which EKS requires` });
    }
  }
  return problems;
}
