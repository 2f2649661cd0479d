/**
 * The fake LiteLLM's records, modelled on LiteLLM's own tables as its documentation and source
 * describe them (docs.litellm.ai/docs/proxy/virtual_keys, team_budgets, rate_limits;
 * litellm/proxy/_types.py): teams (LiteLLM_TeamTable) and virtual keys
 * (LiteLLM_VerificationToken). A key is stored by its `token`, the sha256 hex of the key, as
 * LiteLLM stores it; the key itself is only ever returned once, by /key/generate.
 *
 * The state can be saved to a file after every change and loaded at start, standing in for
 * LiteLLM's Postgres: a gateway restarted by a test keeps its teams, keys and spend.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface TeamRecord {
  team_id: string;
  team_alias: string | null;
  models: string[];
  max_budget: number | null;
  budget_duration: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  metadata: Record<string, unknown>;
  spend: number;
  blocked: boolean;
  created_at: string;
  updated_at: string;
}

export interface KeyRecord {
  /** sha256 hex of the key (LiteLLM's primary key for virtual keys) */
  token: string;
  key_alias: string | null;
  key_name: string;
  team_id: string | null;
  models: string[];
  max_budget: number | null;
  budget_duration: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  metadata: Record<string, unknown>;
  spend: number;
  blocked: boolean | null;
  created_at: string;
  updated_at: string;
}

export interface FakeLiteLLMState {
  teams: Record<string, TeamRecord>;
  keys: Record<string, KeyRecord>;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** LiteLLM's key_name: "sk-...<last 4>" (what its UI shows instead of the key). */
export function abbreviate(key: string): string {
  return `sk-...${key.slice(-4)}`;
}

export class StateStore {
  state: FakeLiteLLMState;

  constructor(private readonly file?: string) {
    this.state = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as FakeLiteLLMState) : { teams: {}, keys: {} };
  }

  /** writes the state (atomically) when it is backed by a file */
  save(): void {
    if (!this.file) return;
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.state));
    renameSync(`${this.file}.tmp`, this.file);
  }

  keyByTokenOrKey(value: string): KeyRecord | undefined {
    return this.state.keys[value] ?? this.state.keys[hashKey(value)];
  }
}
