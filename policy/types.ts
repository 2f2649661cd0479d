/** The policy's vocabulary: rules, what they find, and the violations synth reports. */
import type { KubeObject } from '../charts-synth/kube-object.ts';
import type { PolicyContext } from './context.ts';

export interface Violation {
  /** kebab-case rule id, e.g. "run-as-non-root" */
  readonly rule: string;
  /** "Deployment paddock-system/paddock-runtime" (describeObject) */
  readonly object: string;
  /** where in the object, e.g. "spec.template.spec.containers[0].securityContext" */
  readonly path?: string;
  /** what is wrong and how to fix it */
  readonly message: string;
}

/** An object a finding is about; cross-object rules may name a Namespace the stack lacks. */
export type ObjectRef = Pick<KubeObject, 'kind' | 'metadata'>;

export interface Finding {
  readonly object: ObjectRef;
  readonly path?: string;
  readonly message: string;
}

export interface PolicyRuleInfo {
  readonly id: string;
  readonly description: string;
}

export interface PolicyRule extends PolicyRuleInfo {
  /** Every finding in the stack; waivers are applied afterwards, by checkManifests. */
  check(context: PolicyContext): Iterable<Finding>;
}

export interface PolicyOptions {
  /**
   * Addresses sandboxes must never reach besides the metadata endpoint: the pod, service and
   * node networks (the API server lives there, and so does an RDS database in the VPC), plus
   * the API server's public endpoint if it has one. Default: every private range.
   */
  readonly internalCidrs?: readonly string[];
  /** Address ranges pods get their IPs from (ipBlocks covering them reach pods). Default: every private range. */
  readonly podCidrs?: readonly string[];
  /**
   * Where sandboxes reach the model gateway (team-network-allows checks they can, and reach no
   * other pod). Without it that rule checks DNS and the runtime only; synth always passes it.
   */
  readonly modelGateway?: ModelGatewayOption;
}

export interface ModelGatewayOption {
  readonly port: number;
  /** outside the cluster */
  readonly cidrs?: readonly string[];
  /** pods in the cluster */
  readonly inCluster?: { readonly namespace: string; readonly podSelector: Readonly<Record<string, string>> };
}
