/**
 * Upstream agent-sandbox v0.5.6 reference files (../shared/reference/agent-sandbox), for
 * compatibility tests only. A user's clone has no such folder: tests skip with a message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import type { StructuralSchema } from '../../../charts-synth/crds/structural-schema.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** PADDOCK_AGENT_SANDBOX_REFERENCE points elsewhere (or at nothing, to exercise the skip). */
export const UPSTREAM_DIR = resolve(process.env.PADDOCK_AGENT_SANDBOX_REFERENCE ?? resolve(REPO_ROOT, '..', 'shared', 'reference', 'agent-sandbox'));

export const UPSTREAM_CRD_FILES = [
  'agents.x-k8s.io_sandboxes.yaml',
  'extensions.agents.x-k8s.io_sandboxclaims.yaml',
  'extensions.agents.x-k8s.io_sandboxtemplates.yaml',
  'extensions.agents.x-k8s.io_sandboxwarmpools.yaml',
] as const;

export const UPSTREAM_EXAMPLE_FILES = ['sandboxtemplate.yaml', 'secure-sandboxtemplate.yaml', 'sandboxwarmpool.yaml', 'sandbox-claim.yaml', '10-sandboxtemplate.yaml', 'containarium-sandbox.yaml'] as const;

export const upstreamAvailable = UPSTREAM_CRD_FILES.every((f) => existsSync(join(UPSTREAM_DIR, f)));

/** Suffix for describe titles, so a skipped run says why. */
export const upstreamSkipNote = upstreamAvailable ? '' : ` (SKIPPED: upstream reference ${UPSTREAM_DIR} is absent)`;
if (!upstreamAvailable) console.warn(`agent-sandbox compatibility tests skipped: ${UPSTREAM_DIR} is absent`);

/** The upstream CRD as parsed YAML; only the fields these tests read are typed. */
export interface UpstreamCrd {
  metadata: { name: string };
  spec: {
    group: string;
    names: Record<string, unknown>;
    scope: string;
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      additionalPrinterColumns?: unknown[];
      schema: { openAPIV3Schema: StructuralSchema };
      subresources?: Record<string, unknown>;
    }[];
  };
}

export function readUpstreamText(file: string): string {
  return readFileSync(join(UPSTREAM_DIR, file), 'utf8');
}

export function readUpstreamCrd(file: string): UpstreamCrd {
  return parse(readUpstreamText(file)) as UpstreamCrd;
}

/** Every non-empty YAML document of a text, throwing on YAML syntax errors. */
export function parseDocuments(text: string, where: string): unknown[] {
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${where} document ${i}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as unknown;
  }).filter((d) => d !== null && d !== undefined);
}
