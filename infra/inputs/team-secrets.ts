/**
 * Team secret values (`paddock:teamSecrets.<team>.<NAME>`, set with `pulumi config set
 * --secret --path`) checked against what the teams declare (`paddock:teams[].secrets`).
 * Pure. Messages name teams and variable names, never values.
 */
import type { ConfigProblem } from '../../config/errors.ts';
import { reservedEnvReason } from '../../config/names.ts';
import type { TeamSpec } from '../../config/platform-spec.ts';
import { compareText } from '../../config/compare.ts';

export const TEAM_SECRETS_KEY = 'paddock:teamSecrets';

/** Secret values by team, then by variable name. */
export type TeamSecretValues = Readonly<Record<string, Readonly<Record<string, string>>>>;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The command that sets one team secret, for messages and docs. */
export function setSecretCommand(stack: string, team: string, name: string): string {
  return `pulumi config set -s ${stack} --secret --path '${TEAM_SECRETS_KEY}.${team}.${name}' <value>`;
}

/** `pulumi config set --path` stores numbers and booleans typed; a secret is their text. */
function secretText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isMapping(value)) return 'a mapping';
  return typeof value;
}

/**
 * One team's values from the raw config object (the same normalisation the checks use), for
 * building the Secret from `requireSecretObject`'s output.
 */
export function teamSecretValues(raw: unknown, team: TeamSpec): Record<string, string> {
  const byTeam = isMapping(raw) ? raw[team.name] : undefined;
  const values: Record<string, string> = {};
  if (!isMapping(byTeam)) return values;
  for (const name of team.secrets) {
    const text = secretText(byTeam[name]);
    if (text !== undefined) values[name] = text;
  }
  return values;
}

/**
 * Every problem with the team secret values that exist: an unknown team, a value for a name
 * the team does not declare, a reserved name, a value that is not text or is empty.
 * Declared secrets without a value are `missingTeamSecrets` (see `missingSecretProblems`).
 */
export function checkTeamSecrets(raw: unknown, teams: readonly TeamSpec[], stack: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const known = new Map(teams.map((t) => [t.name, t]));
  if (raw === undefined) return problems;
  if (!isMapping(raw)) return [{ path: [TEAM_SECRETS_KEY], message: `expected a mapping of team name to secret values, got ${kindOf(raw)}` }];

  for (const [teamName, values] of Object.entries(raw).sort(([a], [b]) => compareText(a, b))) {
    const team = known.get(teamName);
    if (!team) {
      problems.push({ path: [TEAM_SECRETS_KEY, teamName], message: `no team "${teamName}" in paddock:teams (teams: ${[...known.keys()].join(', ') || 'none'})` });
      continue;
    }
    if (!isMapping(values)) {
      problems.push({ path: [TEAM_SECRETS_KEY, teamName], message: `expected a mapping of variable name to secret value, got ${kindOf(values)}` });
      continue;
    }
    for (const [name, value] of Object.entries(values).sort(([a], [b]) => compareText(a, b))) {
      const path = [TEAM_SECRETS_KEY, teamName, name];
      const reserved = reservedEnvReason(name);
      if (reserved) problems.push({ path, message: `${reserved}; a team secret cannot set it` });
      else if (!team.secrets.includes(name)) problems.push({ path, message: `team "${teamName}" does not declare secret "${name}" (add it to its "secrets" list, or remove the value with \`pulumi config rm -s ${stack} --path '${TEAM_SECRETS_KEY}.${teamName}.${name}'\`)` });
      else if (secretText(value) === undefined) problems.push({ path, message: `expected the secret as text, got ${kindOf(value)}` });
      else if (secretText(value) === '') problems.push({ path, message: 'is empty' });
    }
  }
  return problems;
}

/** A problem per declared secret without a value, with the command that sets it. */
export function missingSecretProblems(missing: readonly { team: string; name: string }[], stack: string): ConfigProblem[] {
  return missing.map(({ team, name }) => ({ path: [TEAM_SECRETS_KEY, team, name], message: `team "${team}" declares secret "${name}" but no value is set: ${setSecretCommand(stack, team, name)}` }));
}

/** Declared secrets that have no value yet, as [team, name] pairs (for `paddock plan`). */
export function missingTeamSecrets(raw: unknown, teams: readonly TeamSpec[]): { team: string; name: string }[] {
  const byTeam = isMapping(raw) ? raw : {};
  return teams.flatMap((team) => {
    const values = byTeam[team.name];
    return team.secrets.filter((name) => !(isMapping(values) && Object.hasOwn(values, name))).map((name) => ({ team: team.name, name }));
  });
}
