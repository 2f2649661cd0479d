/**
 * networking/v1 NetworkPolicyIngressRule / EgressRule, as embedded in SandboxTemplate
 * `spec.networkPolicy`. The controller copies these verbatim into the per-template
 * NetworkPolicy, so they get the same schema the API server would apply there.
 */
import { labelSelectorSchema } from './label-selector.ts';
import { atomicStringListSchema, type StructuralSchema } from './structural-schema.ts';

export function networkPolicyPortSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      endPort: { type: 'integer', format: 'int32' },
      // a number or a named container port
      port: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
      protocol: { type: 'string' },
    },
  };
}

export function networkPolicyPeerSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      ipBlock: { type: 'object', properties: { cidr: { type: 'string' }, except: atomicStringListSchema() }, required: ['cidr'] },
      namespaceSelector: labelSelectorSchema(),
      podSelector: labelSelectorSchema(),
    },
  };
}

function atomicList(items: StructuralSchema): StructuralSchema {
  return { type: 'array', items, 'x-kubernetes-list-type': 'atomic' };
}

export function networkPolicyIngressRuleSchema(): StructuralSchema {
  return { type: 'object', properties: { from: atomicList(networkPolicyPeerSchema()), ports: atomicList(networkPolicyPortSchema()) } };
}

export function networkPolicyEgressRuleSchema(): StructuralSchema {
  return { type: 'object', properties: { ports: atomicList(networkPolicyPortSchema()), to: atomicList(networkPolicyPeerSchema()) } };
}

/**
 * SandboxTemplate `spec.networkPolicy`. An empty list denies that direction; an omitted
 * one leaves it unrestricted by this policy. Upstream sets no list type on the rule lists.
 */
export function sandboxNetworkPolicySchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      egress: { type: 'array', items: networkPolicyEgressRuleSchema() },
      ingress: { type: 'array', items: networkPolicyIngressRuleSchema() },
    },
  };
}
