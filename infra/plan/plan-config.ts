/**
 * The config `paddock plan` runs the program with, built from the stack file alone (pure).
 * A plan needs no credentials, so it never decrypts: every `secure:` value becomes a
 * placeholder, and a declared team secret without any value gets one too (reported as work
 * to do before `pulumi up`). Placeholders only ever travel as Pulumi secrets. gVisor checksums
 * not pinned yet get a placeholder no download matches (also reported as work to do).
 */
import { TEAM_SECRETS_KEY } from '../inputs/team-secrets.ts';
import { GATEWAY_SECRETS_KEY } from '../inputs/gateway-secrets.ts';

export const ENCRYPTED_PLACEHOLDER = 'encrypted-in-stack-file';
export const MISSING_PLACEHOLDER = 'not-set-yet';
/** stands in for gVisor checksums not pinned yet: no download ever matches it, so such nodes never join */
export const UNPINNED_CHECKSUM_PLACEHOLDER = '0'.repeat(128);

export interface PlanConfig {
  /** "paddock:key" -> value, structured values as objects */
  readonly config: Record<string, unknown>;
  /** keys holding at least one secret value */
  readonly secretKeys: readonly string[];
  /** how many `secure:` values were replaced by placeholders */
  readonly encryptedValues: number;
}

function isSecure(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { secure?: unknown }).secure === 'string';
}

function replaceSecure(value: unknown, count: { n: number }): unknown {
  if (isSecure(value)) {
    count.n++;
    return ENCRYPTED_PLACEHOLDER;
  }
  if (Array.isArray(value)) return value.map((v) => replaceSecure(v, count));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceSecure(v, count)]));
  return value;
}

/** The stack file's `paddock:*` config with every encrypted value replaced by a placeholder. */
export function planConfigFromStackFile(stackConfig: Readonly<Record<string, unknown>>, overrides: Readonly<Record<string, unknown>> = {}): PlanConfig {
  const config: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  let encryptedValues = 0;
  for (const [key, value] of Object.entries({ ...stackConfig, ...overrides })) {
    const count = { n: 0 };
    config[key] = replaceSecure(value, count);
    encryptedValues += count.n;
    if (count.n > 0 || key === TEAM_SECRETS_KEY || key === GATEWAY_SECRETS_KEY) secretKeys.push(key);
  }
  return { config, secretKeys: secretKeys.sort(), encryptedValues };
}

/** Adds a placeholder value for each declared team secret that has none. */
export function withMissingSecretPlaceholders(plan: PlanConfig, missing: readonly { team: string; name: string }[]): PlanConfig {
  if (missing.length === 0) return plan;
  const existing = plan.config[TEAM_SECRETS_KEY];
  const byTeam: Record<string, Record<string, unknown>> = {};
  if (typeof existing === 'object' && existing !== null && !Array.isArray(existing)) {
    for (const [team, values] of Object.entries(existing)) byTeam[team] = typeof values === 'object' && values !== null && !Array.isArray(values) ? { ...(values as Record<string, unknown>) } : {};
  }
  for (const { team, name } of missing) byTeam[team] = { ...(byTeam[team] ?? {}), [name]: MISSING_PLACEHOLDER };
  return { ...plan, config: { ...plan.config, [TEAM_SECRETS_KEY]: byTeam }, secretKeys: [...new Set([...plan.secretKeys, TEAM_SECRETS_KEY])].sort() };
}

/** Adds a placeholder value for each provider key of the in-cluster gateway that has none. */
export function withMissingGatewaySecretPlaceholders(plan: PlanConfig, missing: readonly string[]): PlanConfig {
  if (missing.length === 0) return plan;
  const existing = plan.config[GATEWAY_SECRETS_KEY];
  const values: Record<string, unknown> = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? { ...(existing as Record<string, unknown>) } : {};
  for (const name of missing) values[name] = MISSING_PLACEHOLDER;
  return { ...plan, config: { ...plan.config, [GATEWAY_SECRETS_KEY]: values }, secretKeys: [...new Set([...plan.secretKeys, GATEWAY_SECRETS_KEY])].sort() };
}

/** Config as the Pulumi engine hands it to a program: structured values as JSON text. */
export function engineConfig(config: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}

/** Pins placeholder gVisor checksums (which no download matches) when the stack has none yet. */
export function withGvisorChecksumPlaceholders(plan: PlanConfig, unverified: { readonly release: string } | undefined): PlanConfig {
  const platform = plan.config['paddock:platform'];
  if (!unverified || typeof platform !== 'object' || platform === null) return plan;
  const copy = structuredClone(platform) as { eks?: { gvisorNodeGroup?: { runsc?: Record<string, unknown> } } };
  const runsc = copy.eks?.gvisorNodeGroup?.runsc;
  if (!runsc) return plan;
  runsc.sha512 = { runsc: UNPINNED_CHECKSUM_PLACEHOLDER, containerdShim: UNPINNED_CHECKSUM_PLACEHOLDER };
  return { ...plan, config: { ...plan.config, 'paddock:platform': copy } };
}
