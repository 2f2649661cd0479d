/**
 * What the gateway should hold for Paddock's teams, and the steps from what it holds now:
 * pure functions (config and observed state in, desired records and actions out), so every
 * convergence rule is testable without a gateway. reconcile.ts carries the actions out.
 *
 * Naming, so that Paddock only ever touches what it created:
 * - a team is LiteLLM team `paddock-<team>` with metadata {paddock_managed: true, paddock_team};
 * - its key has alias `paddock-<team>-<fingerprint>` (the first 12 hex of the key's sha256,
 *   which LiteLLM already shows as the key's token) and the same metadata. Aliases are unique in
 *   LiteLLM, so a rotated key gets a new alias and both exist for the moment between creating
 *   the new key and deleting the old one: a sandbox holding either key keeps working.
 */
import { createHash } from 'node:crypto';
import type { KeyFields, LiteLLMKey, LiteLLMTeam, TeamFields } from './litellm-admin.ts';

export const MANAGED_MARK = 'paddock_managed';
export const TEAM_MARK = 'paddock_team';

/** What the stack says about one team's gateway access (config/platform-spec.ts TeamGatewaySpec). */
export interface GatewayTeamConfig {
  readonly name: string;
  /** gateway model names the team's key may use */
  readonly models: readonly string[];
  readonly budget?: { readonly maxUsd: number; readonly period: string } | undefined;
  readonly rpm?: number | undefined;
  readonly tpm?: number | undefined;
}

export interface DesiredTeam {
  readonly name: string;
  readonly teamId: string;
  readonly team: TeamFields;
  /** the key value (from the mounted Secret); never logged */
  readonly key: string;
  readonly token: string;
  readonly keyFields: KeyFields;
}

export const teamIdOf = (team: string): string => `paddock-${team}`;
export const tokenOf = (key: string): string => createHash('sha256').update(key).digest('hex');
export const keyAliasOf = (team: string, token: string): string => `paddock-${team}-${token.slice(0, 12)}`;

export class GatewayKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayKeyError';
  }
}

/** LiteLLM refuses any virtual key that does not start with "sk-" (user_api_key_auth). */
export function checkKeyValue(team: string, key: string | undefined): string {
  if (key === undefined || key.trim() === '') throw new GatewayKeyError(`team "${team}" has no gateway key: Secret paddock-gateway-admin has no non-empty key "team-${team}"`);
  const value = key.trim();
  if (!value.startsWith('sk-')) throw new GatewayKeyError(`team "${team}"'s gateway key (Secret paddock-gateway-admin, key "team-${team}") does not start with "sk-", which LiteLLM requires of every virtual key`);
  if (value.length < 24) throw new GatewayKeyError(`team "${team}"'s gateway key (Secret paddock-gateway-admin, key "team-${team}") is shorter than 24 characters`);
  return value;
}

export function desiredTeam(config: GatewayTeamConfig, key: string, stack: string): DesiredTeam {
  const value = checkKeyValue(config.name, key);
  const token = tokenOf(value);
  const teamId = teamIdOf(config.name);
  const metadata = { [MANAGED_MARK]: true, [TEAM_MARK]: config.name, paddock_stack: stack };
  const models = [...config.models].sort();
  return {
    name: config.name,
    teamId,
    team: {
      team_alias: `paddock ${stack}/${config.name}`,
      models,
      max_budget: config.budget?.maxUsd ?? null,
      budget_duration: config.budget?.period ?? null,
      rpm_limit: config.rpm ?? null,
      tpm_limit: config.tpm ?? null,
      metadata,
    },
    key: value,
    token,
    // the key is bound to its team (whose budget and limits apply) and limited to the same models
    keyFields: { key_alias: keyAliasOf(config.name, token), team_id: teamId, models, metadata },
  };
}

const sameList = (a: readonly string[] | null | undefined, b: readonly string[]) => JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...b].sort());
const sameNumber = (a: number | null | undefined, b: number | null) => (a ?? null) === b;

/** The team fields whose value differs from the desired one (empty: nothing to update). */
export function teamChanges(actual: LiteLLMTeam, desired: TeamFields): Partial<TeamFields> {
  const changes: { -readonly [K in keyof TeamFields]?: TeamFields[K] } = {};
  if ((actual.team_alias ?? null) !== desired.team_alias) changes.team_alias = desired.team_alias;
  if (!sameList(actual.models, desired.models)) changes.models = desired.models;
  if (!sameNumber(actual.max_budget, desired.max_budget)) changes.max_budget = desired.max_budget;
  if ((actual.budget_duration ?? null) !== desired.budget_duration) changes.budget_duration = desired.budget_duration;
  if (!sameNumber(actual.rpm_limit, desired.rpm_limit)) changes.rpm_limit = desired.rpm_limit;
  if (!sameNumber(actual.tpm_limit, desired.tpm_limit)) changes.tpm_limit = desired.tpm_limit;
  const meta = actual.metadata ?? {};
  if (Object.entries(desired.metadata).some(([k, v]) => meta[k] !== v)) changes.metadata = { ...meta, ...desired.metadata };
  return changes;
}

export function keyChanges(actual: LiteLLMKey, desired: KeyFields): Partial<KeyFields> {
  const changes: { -readonly [K in keyof KeyFields]?: KeyFields[K] } = {};
  if ((actual.team_id ?? null) !== desired.team_id) changes.team_id = desired.team_id;
  if (!sameList(actual.models, desired.models)) changes.models = desired.models;
  if ((actual.key_alias ?? null) !== desired.key_alias) changes.key_alias = desired.key_alias;
  const meta = actual.metadata ?? {};
  if (Object.entries(desired.metadata).some(([k, v]) => meta[k] !== v)) changes.metadata = { ...meta, ...desired.metadata };
  return changes;
}

/** A key Paddock created: its metadata says so and its alias has Paddock's form. */
export function isManagedKey(key: LiteLLMKey): boolean {
  return key.metadata?.[MANAGED_MARK] === true && typeof key.key_alias === 'string' && key.key_alias.startsWith('paddock-');
}

export function isManagedTeam(team: LiteLLMTeam): boolean {
  return team.metadata?.[MANAGED_MARK] === true && team.team_id.startsWith('paddock-');
}

export type KeyAction =
  | { readonly kind: 'create' }
  | { readonly kind: 'update'; readonly changes: Partial<KeyFields> }
  | { readonly kind: 'keep' };

export interface KeyPlan {
  readonly key: KeyAction;
  /** Paddock's other keys of this team (a rotated-out key): deleted once the current one exists */
  readonly deleteTokens: readonly string[];
}

/** The steps for one team's keys, given the keys LiteLLM holds for its team. */
export function planKeys(desired: DesiredTeam, actual: readonly LiteLLMKey[]): KeyPlan {
  const current = actual.find((k) => k.token === desired.token);
  const key: KeyAction = !current ? { kind: 'create' } : Object.keys(keyChanges(current, desired.keyFields)).length > 0 ? { kind: 'update', changes: keyChanges(current, desired.keyFields) } : { kind: 'keep' };
  const deleteTokens = actual.filter((k) => k.token !== desired.token && isManagedKey(k)).map((k) => k.token);
  return { key, deleteTokens };
}
