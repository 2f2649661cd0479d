/**
 * The plan's "Reachability" section, pure: how `pulumi up` and operators reach the Kubernetes
 * API, how sandboxes reach the model gateway, and which runtime classes the cluster provides —
 * the network paths the config checks (config/eks-reachability.ts) insist exist.
 */
import { cidrContains, parseCidr } from '../../config/cidr.ts';
import { isPublicRange } from '../../config/eks-reachability.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { GVISOR_RUNTIME_CLASS } from '../../config/runtime-classes.ts';
import { gvisorArch } from '../aws/gvisor-release.ts';

export function reachabilitySummary(spec: PlatformSpec): string[] {
  const { platform } = spec;
  const eks = platform.eks;
  const gateway = platform.modelGateway;
  const routeFor = (cidr: string) => eks?.routes.find((r) => cidrContains(parseCidr(r.cidr)!, parseCidr(cidr)!));
  const via = (cidr: string) => {
    const route = routeFor(cidr);
    return route ? `via ${route.transitGatewayId}${route.description ? ` (${route.description})` : ''}` : isPublicRange(parseCidr(cidr)!) ? 'public, through the NAT gateways' : 'inside the VPC';
  };
  const lines: string[] = [];
  if (eks) {
    lines.push(`  Kubernetes API endpoint: private${eks.publicAccessCidrs.length > 0 ? `, and public for ${eks.publicAccessCidrs.join(', ')} only` : ' only'}`);
    for (const cidr of eks.operatorCidrs) lines.push(`  operators and \`pulumi up\` (443 on the private endpoint): ${cidr} ${via(cidr)}`);
    for (const route of eks.routes) lines.push(`  route: ${route.cidr} -> ${route.transitGatewayId} from every private subnet${route.description ? ` (${route.description})` : ''}`);
  } else {
    lines.push(`  Kubernetes API endpoint: the kind cluster's, on this machine`);
  }
  if (gateway.deploy && gateway.inCluster) lines.push(`  model gateway: ${gateway.url}, run by Paddock in the cluster (namespace ${gateway.inCluster.namespace}, LiteLLM ${gateway.deploy.image}, ${gateway.deploy.models.length} models)`);
  else if (gateway.inCluster) lines.push(`  model gateway: ${gateway.url}, in the cluster (namespace ${gateway.inCluster.namespace})`);
  for (const cidr of gateway.cidrs ?? []) lines.push(`  model gateway: ${gateway.url} at ${cidr}${eks ? ` ${via(cidr)}` : ''}`);
  for (const name of platform.runtimeClasses) {
    const group = eks?.gvisorNodeGroup;
    lines.push(
      name === GVISOR_RUNTIME_CLASS && group
        ? `  runtime class ${name}: node group gvisor-nodes (${group.instanceTypes.join(', ')}, ${group.minSize}-${group.maxSize} nodes, tainted) installing runsc ${group.runsc.release} (${gvisorArch(group.instanceTypes)}), RuntimeClass ${name} (handler runsc)`
        : `  runtime class ${name}: provided by the cluster's owner (Paddock does not install it)`,
    );
  }
  return lines;
}
