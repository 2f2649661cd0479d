import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPlatformSpec } from '../../config/stack-file.ts';
import { loadHarnessRegistry } from '../../harnesses/registry.ts';
import { checkManifests, policyOptionsForSpec } from '../../policy/index.ts';
import { compliantStack, withChange } from './fixtures/stack.ts';

const stack = (name: string) => fileURLToPath(new URL(`../../stacks/Pulumi.${name}.yaml`, import.meta.url));

describe('policyOptionsForSpec', () => {
  const registry = loadHarnessRegistry();

  it('keeps sandboxes out of the kind networks (pods, services, the docker network of the nodes)', () => {
    const options = policyOptionsForSpec(loadPlatformSpec(stack('local'), registry));
    expect(options).toEqual({
      internalCidrs: ['10.244.0.0/16', '10.96.0.0/12', '172.18.0.0/16', 'fc00::/7', 'fe80::/10'],
      podCidrs: ['10.244.0.0/16'],
      // the gateway Paddock runs (modelGateway.deploy: litellm)
      modelGateway: { port: 4000, inCluster: { namespace: 'paddock-gateway', podSelector: { 'app.kubernetes.io/component': 'model-gateway', 'app.kubernetes.io/name': 'litellm' } } },
    });
  });

  it('keeps sandboxes out of the whole VPC on EKS (nodes, the API server ENIs, RDS)', () => {
    const spec = loadPlatformSpec(stack('prod'), registry);
    const options = policyOptionsForSpec(spec);
    expect(options.internalCidrs).toContain(spec.platform.eks!.vpcCidr);
    expect(options.internalCidrs).toContain(spec.platform.network.serviceCidr);
    expect(options.podCidrs).toEqual([spec.platform.network.podCidr]);
  });

  it('lets a team reach a private range outside the cluster only when the stack says it is outside', () => {
    const objects = withChange(compliantStack(), 'NetworkPolicy', 'team-alpha/allow-egress-list', (o) => {
      o.spec.egress = [{ to: [{ ipBlock: { cidr: '192.168.50.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] }];
    });
    // the fixture's gateway (namespace litellm) stands in for the stack's
    const options = { ...policyOptionsForSpec(loadPlatformSpec(stack('local'), registry)), modelGateway: { port: 4000, inCluster: { namespace: 'litellm', podSelector: { 'app.kubernetes.io/name': 'litellm' } } } };
    expect(checkManifests(objects, options)).toEqual([]);
    expect(checkManifests(objects).map((v) => v.rule)).toEqual(['sandbox-egress-restricted']);
  });
});
