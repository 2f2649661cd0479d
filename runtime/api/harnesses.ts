/**
 * `GET /v1/harnesses`: who the token is and the harnesses it may open sessions with, each with
 * whether this runtime can run it now (dev mode without a CLI cannot). A team token sees its
 * own team; the admin token every team. The web console uses it to fill its "Harness" select
 * and to tell a team member from an admin without a second endpoint.
 */
import type { RuntimeConfig } from '../../config/runtime-config.ts';
import type { Principal } from '../auth.ts';

export interface HarnessListing {
  readonly principal: Principal;
  readonly teams: ReadonlyArray<{
    readonly name: string;
    readonly harnesses: ReadonlyArray<{ readonly name: string; readonly available: boolean; readonly unavailableReason: string | null }>;
  }>;
}

export function listHarnesses(config: RuntimeConfig, principal: Principal, unavailable: (harness: string) => string | undefined): HarnessListing {
  const teams = config.teams.filter((team) => principal.kind === 'admin' || team.name === principal.team);
  return {
    principal,
    teams: teams
      .map((team) => ({
        name: team.name,
        harnesses: team.harnesses
          .map((harness) => {
            const reason = unavailable(harness.name);
            return { name: harness.name, available: reason === undefined, unavailableReason: reason ?? null };
          })
          .sort((a, b) => a.name.localeCompare(b.name)),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
