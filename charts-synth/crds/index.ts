/**
 * The agent-sandbox CRDs (upstream v0.5.6, v1beta1 only), authored here so a clone needs no
 * upstream files at synth time. Sorted by name for stable output.
 */
import type { CustomResourceDefinitionObject } from './custom-resource-definition.ts';
import { sandboxCrd } from './sandbox.ts';
import { sandboxClaimCrd } from './sandbox-claim.ts';
import { sandboxTemplateCrd } from './sandbox-template.ts';
import { sandboxWarmPoolCrd } from './sandbox-warm-pool.ts';

export type { CustomResourceDefinitionObject } from './custom-resource-definition.ts';

export function agentSandboxCrds(): CustomResourceDefinitionObject[] {
  return [sandboxCrd(), sandboxClaimCrd(), sandboxTemplateCrd(), sandboxWarmPoolCrd()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}
