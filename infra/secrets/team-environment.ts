/**
 * The two Secrets every team namespace gets (both referenced by the sandbox pod template's
 * `envFrom`, non-optional, so both always exist, possibly empty):
 * - paddock-container-env: every CONTAINER_ENV_* variable of the .env file, prefix stripped —
 *   the same in every team namespace;
 * - paddock-team-secrets: that team's own declared secrets, in that namespace only.
 * The pod template lists the container env first and the team secrets second, so a team
 * secret wins over a CONTAINER_ENV_ variable of the same name (config/container-env.ts).
 */
import type * as pulumi from '@pulumi/pulumi';
import { CONTAINER_ENV_SECRET, TEAM_SECRETS_SECRET } from '../../config/names.ts';
import type { TeamSpec } from '../../config/platform-spec.ts';
import type { ManagedSecret } from '../kubernetes/synthesized-charts.ts';

export function teamEnvironmentSecrets(team: TeamSpec, containerEnv: Readonly<Record<string, string>>, teamSecrets: pulumi.Output<Record<string, string>>, envFile: string): ManagedSecret[] {
  return [
    {
      namespace: team.namespace,
      name: CONTAINER_ENV_SECRET,
      stringData: { ...containerEnv },
      source: `Pulumi: CONTAINER_ENV_* variables of ${envFile}, prefix stripped (same in every team namespace)`,
    },
    {
      namespace: team.namespace,
      name: TEAM_SECRETS_SECRET,
      stringData: teamSecrets,
      source: `Pulumi: secrets of team ${team.name} (config paddock:teamSecrets.${team.name}.*)`,
    },
  ];
}
