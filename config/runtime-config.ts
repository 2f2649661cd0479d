/**
 * The runtime controller's view of a stack: teams -> namespaces, harness -> warm pool and
 * port. Synth renders it into the ConfigMap `paddock-runtime-config` (key `config.json`); the
 * runtime validates it with the same schema at start-up. No secret values: only names.
 */
import { z } from 'zod';
import { warmPoolName } from './names.ts';
import type { PlatformSpec } from './platform-spec.ts';

export const RUNTIME_CONFIG_KEY = 'config.json';
/** days audit rows are kept (platform.runtime.auditRetentionDays); the database refuses less than 30 */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
export const MIN_AUDIT_RETENTION_DAYS = 30;

export const runtimeHarnessSchema = z.strictObject({
  name: z.string(),
  /** SandboxWarmPool in the team namespace that claims reference */
  warmPool: z.string(),
  port: z.number().int(),
  /** env names that receive the model gateway URL (the local driver sets them too) */
  modelGatewayEnv: z.array(z.strictObject({ name: z.string(), path: z.string() })),
  /** the team harness's model and the env names set to it (teams[].harnesses[].model; the local driver sets them) */
  model: z.strictObject({ name: z.string(), env: z.array(z.string()) }).optional(),
});

export const runtimeTeamSchema = z.strictObject({
  name: z.string(),
  namespace: z.string(),
  harnesses: z.array(runtimeHarnessSchema),
  /** the team's non-secret env (the local driver passes it to the harness process) */
  env: z.record(z.string(), z.string()),
});

/** A team's access through the in-cluster gateway, which the runtime's key reconciler registers (ADR 0025). */
export const runtimeGatewayTeamSchema = z.strictObject({
  name: z.string(),
  models: z.array(z.string()),
  budget: z.strictObject({ maxUsd: z.number().positive(), period: z.string() }).optional(),
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
});

/** With `modelGateway.deploy`: the gateway whose teams and keys the runtime reconciles (keys from Secret paddock-gateway-admin). */
export const runtimeGatewayKeysSchema = z.strictObject({
  kind: z.literal('litellm'),
  teams: z.array(runtimeGatewayTeamSchema),
});

export const runtimeConfigSchema = z.strictObject({
  version: z.literal(1),
  stack: z.string(),
  environment: z.enum(['kind', 'eks']),
  modelGatewayUrl: z.string(),
  turnTimeoutSeconds: z.number().int(),
  /** a claim's lifetime backstop (lifecycle.shutdownTime), renewed while its session uses it; none when absent */
  sandboxLifetimeSeconds: z.number().int().positive().optional(),
  teams: z.array(runtimeTeamSchema),
  /** set when Paddock runs the gateway: what the key reconciler converges it to */
  gatewayKeys: runtimeGatewayKeysSchema.optional(),
  /** days audit rows are kept (ADR 0027); DEFAULT_AUDIT_RETENTION_DAYS when absent */
  auditRetentionDays: z.number().int().min(MIN_AUDIT_RETENTION_DAYS).optional(),
});

export type RuntimeConfig = z.output<typeof runtimeConfigSchema>;
export type RuntimeGatewayKeys = z.output<typeof runtimeGatewayKeysSchema>;
export type RuntimeTeamConfig = z.output<typeof runtimeTeamSchema>;
export type RuntimeHarnessConfig = z.output<typeof runtimeHarnessSchema>;

export function buildRuntimeConfig(spec: PlatformSpec): RuntimeConfig {
  return {
    version: 1,
    stack: spec.stack,
    environment: spec.platform.environment,
    modelGatewayUrl: spec.platform.modelGateway.url,
    turnTimeoutSeconds: spec.platform.runtime.turnTimeoutSeconds,
    sandboxLifetimeSeconds: spec.platform.runtime.sandboxLifetimeHours * 3600,
    auditRetentionDays: spec.platform.runtime.auditRetentionDays,
    teams: spec.teams.map((team) => ({
      name: team.name,
      namespace: team.namespace,
      harnesses: team.harnesses.map((h) => ({
        name: h.name,
        warmPool: warmPoolName(h.name),
        port: h.definition.port,
        modelGatewayEnv: h.definition.modelGatewayEnv.map((e) => ({ name: e.name, path: e.path })),
        ...(h.model !== undefined && h.definition.modelEnv.length > 0 ? { model: { name: h.model, env: [...h.definition.modelEnv] } } : {}),
      })),
      env: { ...team.env },
    })),
    ...(spec.platform.modelGateway.deploy
      ? {
          gatewayKeys: {
            kind: spec.platform.modelGateway.deploy.kind,
            teams: spec.teams.flatMap((team) => (team.gateway ? [{ name: team.name, models: [...team.gateway.models], ...(team.gateway.budget ? { budget: { ...team.gateway.budget } } : {}), ...(team.gateway.rpm !== undefined ? { rpm: team.gateway.rpm } : {}), ...(team.gateway.tpm !== undefined ? { tpm: team.gateway.tpm } : {}) }] : [])),
          },
        }
      : {}),
  };
}
