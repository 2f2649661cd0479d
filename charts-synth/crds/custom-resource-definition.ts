/**
 * The CustomResourceDefinition envelope shared by the four agent-sandbox CRDs: one served and
 * stored version (v1beta1) and no conversion webhook, because the controller runs with
 * webhooks off (upstream's deprecated v1alpha1 needs its conversion webhook).
 */
import type { KubeObject } from '../kube-object.ts';
import { componentLabels } from '../builders/labels.ts';
import { resourceMetadataSchema } from './object-metadata.ts';
import type { StructuralSchema } from './structural-schema.ts';

/** The upstream release whose v1beta1 API these CRDs reproduce. */
export const AGENT_SANDBOX_UPSTREAM_VERSION = 'v0.5.6';
export const AGENT_SANDBOX_VERSION_ANNOTATION = 'paddock.dev/agent-sandbox-version';
export const AGENTS_GROUP = 'agents.x-k8s.io';
export const EXTENSIONS_GROUP = 'extensions.agents.x-k8s.io';
export const SERVED_VERSION = 'v1beta1';

export interface CustomResourceNames {
  kind: string;
  listKind: string;
  plural: string;
  shortNames?: string[];
  singular: string;
}

export interface PrinterColumn {
  jsonPath: string;
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  description?: string;
  format?: string;
  priority?: number;
}

export interface Subresources {
  status?: Record<string, never>;
  scale?: { labelSelectorPath?: string; specReplicasPath: string; statusReplicasPath: string };
}

export interface CustomResourceDefinitionVersion {
  name: string;
  served: boolean;
  storage: boolean;
  additionalPrinterColumns?: PrinterColumn[];
  schema: { openAPIV3Schema: StructuralSchema };
  subresources?: Subresources;
}

export interface CustomResourceDefinitionSpec {
  group: string;
  names: CustomResourceNames;
  scope: 'Namespaced' | 'Cluster';
  versions: CustomResourceDefinitionVersion[];
  conversion: { strategy: 'None' };
}

export interface CustomResourceDefinitionObject extends KubeObject {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  spec: CustomResourceDefinitionSpec;
}

export interface AgentSandboxCrdInput {
  group: string;
  names: CustomResourceNames;
  /** `spec` of the custom resource */
  spec: StructuralSchema;
  /** `status`, when the kind has one (written by the controller through the status subresource) */
  status?: StructuralSchema;
  printerColumns?: PrinterColumn[];
  subresources?: Subresources;
}

/** The root schema every kind shares: apiVersion, kind, metadata, spec (required), status. */
export function customResourceRootSchema(spec: StructuralSchema, status?: StructuralSchema): StructuralSchema {
  return {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: resourceMetadataSchema(),
      spec,
      ...(status ? { status } : {}),
    },
    required: ['spec'],
  };
}

export function agentSandboxCrd(input: AgentSandboxCrdInput): CustomResourceDefinitionObject {
  const version: CustomResourceDefinitionVersion = {
    name: SERVED_VERSION,
    served: true,
    storage: true,
    ...(input.printerColumns ? { additionalPrinterColumns: input.printerColumns } : {}),
    schema: { openAPIV3Schema: customResourceRootSchema(input.spec, input.status) },
    ...(input.subresources ? { subresources: input.subresources } : {}),
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${input.names.plural}.${input.group}`,
      labels: componentLabels('agent-sandbox', 'crd', { 'app.kubernetes.io/version': AGENT_SANDBOX_UPSTREAM_VERSION }),
      annotations: { [AGENT_SANDBOX_VERSION_ANNOTATION]: AGENT_SANDBOX_UPSTREAM_VERSION },
    },
    spec: {
      group: input.group,
      names: input.names,
      scope: 'Namespaced',
      versions: [version],
      conversion: { strategy: 'None' },
    },
  };
}

/** Printer columns reading the `Ready` condition (Sandbox, SandboxClaim). */
export function readyConditionColumns(): { ready: PrinterColumn; reason: PrinterColumn } {
  return {
    ready: { jsonPath: ".status.conditions[?(@.type=='Ready')].status", name: 'Ready', type: 'string' },
    reason: { jsonPath: ".status.conditions[?(@.type=='Ready')].reason", name: 'Reason', type: 'string' },
  };
}

export function ageColumn(): PrinterColumn {
  return { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' };
}
