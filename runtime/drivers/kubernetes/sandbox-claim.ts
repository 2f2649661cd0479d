/**
 * The SandboxClaim resource of kubernetes-sigs/agent-sandbox (extensions.agents.x-k8s.io/v1beta1)
 * as far as the runtime uses it: its wire shape, a schema to read it back from the API server,
 * and the pure builder of the claim the Kubernetes driver creates for a session.
 */
import { z } from 'zod';
import { HARNESS_LABEL, MANAGED_BY_LABELS, TEAM_LABEL } from '../../../config/names.ts';

export const SANDBOX_CLAIM_GROUP = 'extensions.agents.x-k8s.io';
export const SANDBOX_CLAIM_VERSION = 'v1beta1';
export const SANDBOX_CLAIM_API_VERSION = `${SANDBOX_CLAIM_GROUP}/${SANDBOX_CLAIM_VERSION}`;
export const SANDBOX_CLAIM_KIND = 'SandboxClaim';
export const SANDBOX_CLAIM_PLURAL = 'sandboxclaims';

/** Label on the claim: the session key (the claim name without its prefix). */
export const SESSION_LABEL = 'paddock.dev/session';
/** Annotation on the claim: the exact session id (labels cannot hold every id). */
export const SESSION_ID_ANNOTATION = 'paddock.dev/session-id';
/**
 * Annotation on the claim: sha256 of the token the runtime bound to its sandbox. It ties a
 * SandboxBinding to one incarnation of a (deterministically named) claim, so that releasing
 * or probing an old binding never touches a newer claim of the same session. A hash of a
 * 256-bit random token reveals nothing usable.
 */
export const TOKEN_HASH_ANNOTATION = 'paddock.dev/token-sha256';

const conditionSchema = z.looseObject({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  observedGeneration: z.number().optional(),
});

const stringMap = z.record(z.string(), z.string());

export const sandboxClaimSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    labels: stringMap.optional(),
    annotations: stringMap.optional(),
    finalizers: z.array(z.string()).optional(),
  }),
  spec: z.looseObject({
    warmPoolRef: z.looseObject({ name: z.string() }),
    lifecycle: z
      .looseObject({
        shutdownPolicy: z.enum(['Delete', 'DeleteForeground', 'Retain']).optional(),
        shutdownTime: z.string().optional(),
        ttlSecondsAfterFinished: z.number().optional(),
      })
      .optional(),
    additionalPodMetadata: z.looseObject({ labels: stringMap.optional(), annotations: stringMap.optional() }).optional(),
  }),
  status: z
    .looseObject({
      conditions: z.array(conditionSchema).optional(),
      sandbox: z.looseObject({ name: z.string().optional(), podIPs: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
});

export type SandboxClaim = z.output<typeof sandboxClaimSchema>;
export type ClaimCondition = z.output<typeof conditionSchema>;

/** Reads an API answer as a SandboxClaim, naming what is wrong when it is not one. */
export function parseSandboxClaim(value: unknown, where: string): SandboxClaim {
  const result = sandboxClaimSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new Error(`${where}: the API server answered with something that is not a SandboxClaim (${path}: ${issue?.message ?? 'invalid'})`);
}

export interface SandboxClaimInput {
  readonly name: string;
  readonly namespace: string;
  readonly warmPool: string;
  readonly team: string;
  readonly harness: string;
  readonly sessionId: string;
  readonly sessionKey: string;
  readonly tokenSha256: string;
  /** absolute expiry of the claim (agent-sandbox deletes it then); none = lives until released */
  readonly shutdownTime?: Date;
}

/**
 * The claim for one session. No `additionalPodMetadata`: pod labels there need an allow-listed
 * domain in the agent-sandbox controller's config, and the SandboxTemplate already labels the
 * pods by team and harness. `shutdownPolicy: Delete` so that ending or expiring the claim
 * removes the Sandbox, its Pod and its PVCs rather than leaving them behind.
 */
export function buildSandboxClaim(input: SandboxClaimInput): SandboxClaim {
  for (const [label, value] of [
    [TEAM_LABEL, input.team],
    [HARNESS_LABEL, input.harness],
    [SESSION_LABEL, input.sessionKey],
  ] as const) {
    if (!isLabelValue(value)) {
      throw new Error(`cannot label the SandboxClaim "${input.name}": ${JSON.stringify(value)} is not a valid value for the label "${label}" (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)`);
    }
  }
  return {
    apiVersion: SANDBOX_CLAIM_API_VERSION,
    kind: SANDBOX_CLAIM_KIND,
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: {
        ...MANAGED_BY_LABELS,
        [TEAM_LABEL]: input.team,
        [HARNESS_LABEL]: input.harness,
        [SESSION_LABEL]: input.sessionKey,
      },
      annotations: {
        [SESSION_ID_ANNOTATION]: input.sessionId,
        [TOKEN_HASH_ANNOTATION]: input.tokenSha256,
      },
    },
    spec: {
      warmPoolRef: { name: input.warmPool },
      lifecycle: {
        shutdownPolicy: 'Delete',
        ...(input.shutdownTime ? { shutdownTime: rfc3339Seconds(input.shutdownTime) } : {}),
      },
    },
  };
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** Kubernetes serialises metav1.Time with second precision. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
