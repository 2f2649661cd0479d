/**
 * Reading the stack's `paddock:*` config from the Pulumi engine (I/O edge). Pulumi has already
 * parsed stacks/Pulumi.<stack>.yaml (and decrypted secrets); structured values arrive as JSON
 * text, exactly what `Config.getObject` parses. Every `paddock:` key is passed on, so a typo
 * such as `paddock:team` gets the schema's "unknown key (did you mean ...)" message.
 */
import * as pulumi from '@pulumi/pulumi';
import type { TeamSpec } from '../../config/platform-spec.ts';
import { CHECKED_PROVIDER_KEYS } from '../../config/stack-file.ts';
import { TEAM_SECRETS_KEY, teamSecretValues } from './team-secrets.ts';
import { GATEWAY_SECRETS_KEY, gatewaySecretValues } from './gateway-secrets.ts';

export const PROJECT = 'paddock';

function parseValue(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text; // the schema reports "expected a mapping, got string"
    }
  }
  return text;
}

/** Every `paddock:*` config key (and aws:region, checked against eks.region) with its parsed value. Secret values are included: never log this. */
export function readPaddockConfig(): Record<string, unknown> {
  const all = pulumi.runtime.allConfig();
  const config: Record<string, unknown> = {};
  for (const key of Object.keys(all).sort()) {
    if (key.startsWith(`${PROJECT}:`) || CHECKED_PROVIDER_KEYS.includes(key)) config[key] = parseValue(all[key]!);
  }
  return config;
}

/**
 * One team's secret values as a Pulumi secret, read through `requireSecretObject` so they stay
 * encrypted in state. Call only after `checkTeamSecrets` passed; a team without secrets gets {}.
 */
export function teamSecretsOutput(team: TeamSpec): pulumi.Output<Record<string, string>> {
  if (team.secrets.length === 0) return pulumi.secret<Record<string, string>>({});
  const config = new pulumi.Config(PROJECT);
  const all = config.requireSecretObject<unknown>(TEAM_SECRETS_KEY.slice(PROJECT.length + 1));
  return pulumi.secret(all.apply((raw) => teamSecretValues(raw, team)));
}

/**
 * The in-cluster gateway's provider keys as a Pulumi secret (`requireSecretObject`, so they stay
 * encrypted in state). Call only after `checkGatewaySecrets` passed; no names give {}.
 */
export function gatewaySecretsOutput(names: readonly string[]): pulumi.Output<Record<string, string>> {
  if (names.length === 0) return pulumi.secret<Record<string, string>>({});
  const config = new pulumi.Config(PROJECT);
  const all = config.requireSecretObject<unknown>(GATEWAY_SECRETS_KEY.slice(PROJECT.length + 1));
  return pulumi.secret(all.apply((raw) => gatewaySecretValues(raw, names)));
}
