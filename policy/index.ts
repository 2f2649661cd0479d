/**
 * The manifest policy: what every rendered object of a stack must satisfy (docs/adr/0004).
 *   checkManifests(objects, options?) -> Violation[]  (sorted, deterministic)
 *   POLICY_RULES                                       (id + description of every rule)
 *   waive(object, ruleId, reason)                      (per-object exception, rendered as an annotation)
 * plus the NetworkPolicy evaluator other tests use to ask "can this pod reach that one?".
 */
export { checkManifests, assertManifestPolicy, formatViolation, compareViolations, PolicyViolationError, POLICY_RULES } from './check-manifests.ts';
export { waive, waiversOf, waiverAnnotation, WAIVER_ANNOTATION_PREFIX, MIN_WAIVER_REASON_LENGTH, WAIVER_RULES } from './waivers.ts';
export { policyOptionsForSpec } from './options.ts';
export { DEFAULT_INTERNAL_CIDRS } from './context.ts';
export type { Violation, PolicyOptions, PolicyRuleInfo } from './types.ts';
export { NetworkPolicyEvaluator, DEFAULT_POD_CIDRS, describeEndpoint } from './network/evaluator.ts';
export type { PodEndpoint, Connection, NamedPort, ConnectionVerdict, DirectionVerdict, EvaluatorOptions } from './network/evaluator.ts';
export { findCrossNamespaceReachability } from './network/pairwise-reachability.ts';
export type { CrossNamespaceConnection, NamespaceReachability } from './network/pairwise-reachability.ts';
export { NamespaceIndex, ALL_NAMESPACES } from './network/namespace-index.ts';
export { networkPoliciesOf, SANDBOX_TEMPLATE_REF_LABEL, sandboxTemplateRef } from './network/policy-model.ts';
export { endpointsByNamespace, endpointOf } from './network/endpoints.ts';
export { PortSet } from './network/port-set.ts';
export type { Protocol } from './network/port-set.ts';
