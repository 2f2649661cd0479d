/** Policy options for a stack, from its PlatformSpec: the networks sandboxes must stay out of. */
import type { PlatformSpec } from '../config/platform-spec.ts';
import type { PolicyOptions } from './types.ts';

/** IPv6 ranges no stack config describes yet but every cluster may use internally. */
const INTERNAL_IPV6 = ['fc00::/7', 'fe80::/10'];

export function policyOptionsForSpec(spec: PlatformSpec): PolicyOptions {
  const { network, eks, modelGateway } = spec.platform;
  const internal = [network.podCidr, network.serviceCidr, network.nodeCidr, ...(eks ? [eks.vpcCidr] : []), ...INTERNAL_IPV6];
  const gateway = {
    port: modelGateway.port,
    ...(modelGateway.cidrs ? { cidrs: [...modelGateway.cidrs] } : {}),
    ...(modelGateway.inCluster ? { inCluster: { namespace: modelGateway.inCluster.namespace, podSelector: { ...modelGateway.inCluster.podSelector } } } : {}),
  };
  return { internalCidrs: [...new Set(internal)].sort(), podCidrs: [network.podCidr], modelGateway: gateway };
}
