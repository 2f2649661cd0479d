/**
 * The contract a harness folder fulfils: `harnesses/<name>/harness.yaml` is validated against
 * this schema. SandboxTemplates, the runtime's routing and dev mode are all derived from it,
 * so adding a harness is adding a folder.
 */
import { z } from 'zod';
import { dns1123Label, envName, pinnedImage, port, resources, quantity } from './primitives.ts';
import { compareText } from './compare.ts';

const httpProbe = z.strictObject({
  path: z.string().startsWith('/'),
  initialDelaySeconds: z.number().int().min(0).default(0),
  periodSeconds: z.number().int().min(1).default(5),
  timeoutSeconds: z.number().int().min(1).default(2),
  failureThreshold: z.number().int().min(1).default(3),
});

const writablePath = z.strictObject({
  name: dns1123Label(),
  mountPath: z.string().startsWith('/'),
  sizeLimit: quantity.default('1Gi'),
});

export const harnessDefinitionSchema = z.strictObject({
  /** must equal the folder name */
  name: dns1123Label(40),
  description: z.string().min(1),
  /** the protocol the runtime speaks to it (docs/harness-protocol-v1.md) */
  protocol: z.literal('paddock.harness/v1').default('paddock.harness/v1'),
  image: pinnedImage,
  port,
  command: z.array(z.string().min(1)).min(1),
  args: z.array(z.string()).default([]),
  /** env names the agent needs at run time (from team env, team secrets or CONTAINER_ENV_) */
  requiredEnv: z.array(envName).default([]),
  /** env vars that receive the model gateway URL, with an optional path suffix (e.g. "/v1") */
  modelGatewayEnv: z.array(z.strictObject({ name: envName, path: z.string().default('') })).default([]),
  /** env vars that receive the team's model gateway key (in a cluster whose gateway Paddock runs) */
  modelGatewayKeyEnv: z.array(envName).default([]),
  /**
   * env vars the agent CLI reads the model name from (the main model, and its background or
   * alias models): each gets the team harness's `model`, so every request asks the gateway for a
   * model the team's key may use
   */
  modelEnv: z.array(envName).default([]),
  resources,
  probes: z.strictObject({ readiness: httpProbe, liveness: httpProbe }),
  /** uid/gid the image runs as; never 0 */
  user: z.strictObject({ uid: z.number().int().min(1), gid: z.number().int().min(1) }),
  workspace: z.strictObject({ mountPath: z.string().startsWith('/'), size: quantity }),
  /** writable scratch mounts; the root filesystem stays read-only */
  writablePaths: z.array(writablePath).default([]),
  /** how dev mode's local driver starts the adapter without a container */
  local: z
    .strictObject({
      /** argv; relative paths are resolved against the harness folder */
      command: z.array(z.string().min(1)).min(1),
      /** executables that must be on PATH, or the session fails with a clear error */
      requiresExecutables: z.array(z.string()).default([]),
    })
    .optional(),
});

export type HarnessDefinitionInput = z.input<typeof harnessDefinitionSchema>;
export type HarnessDefinition = z.output<typeof harnessDefinitionSchema>;

/** Harness definitions by name, sorted. */
export type HarnessRegistry = ReadonlyMap<string, HarnessDefinition>;

export function createHarnessRegistry(definitions: readonly HarnessDefinition[]): HarnessRegistry {
  const sorted = [...definitions].sort((a, b) => compareText(a.name, b.name));
  return new Map(sorted.map((d) => [d.name, d]));
}
