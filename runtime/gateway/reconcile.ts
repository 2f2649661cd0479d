/**
 * One reconcile pass of the teams and keys Paddock keeps in LiteLLM (ADR 0025): for every
 * configured team, its LiteLLM team exists with the configured models, budget and limits, its
 * current key exists bound to that team and those models, and Paddock's older keys of the team
 * are deleted (after the current one exists: a rotation never leaves the team without a key);
 * then Paddock's keys of teams no longer configured are deleted. Idempotent: a pass over a
 * converged gateway only reads. Never touches a team or key Paddock did not create.
 *
 * A team whose key is missing or malformed is reported and skipped; the others still converge.
 * A gateway that cannot be reached ends the pass (GatewayUnavailableError) and the reconciler
 * tries again with backoff.
 */
import { GatewayRequestError, GatewayUnavailableError, type LiteLLMAdmin } from './litellm-admin.ts';
import { desiredTeam, GatewayKeyError, isManagedKey, isManagedTeam, planKeys, teamChanges, teamIdOf, type DesiredTeam, type GatewayTeamConfig } from './key-plan.ts';

export type GatewayAction = 'team_created' | 'team_updated' | 'key_created' | 'key_updated' | 'key_deleted';

export interface TeamOutcome {
  readonly team: string;
  /** what this pass changed for the team, in order */
  readonly actions: readonly GatewayAction[];
  /** why the team could not be converged (its key, or the gateway refusing a value) */
  readonly problem?: string;
}

export interface ReconcileReport {
  readonly teams: readonly TeamOutcome[];
  /** Paddock's keys deleted because their team is no longer configured, by team */
  readonly removed: readonly { readonly team: string; readonly keys: number }[];
  /** true when every configured team converged */
  readonly converged: boolean;
}

export interface ReconcileInput {
  readonly stack: string;
  readonly teams: readonly GatewayTeamConfig[];
  /** team name -> its key value (Secret paddock-gateway-admin, key team-<name>) */
  readonly keys: ReadonlyMap<string, string>;
}

/**
 * Runs a write that another runtime replica may have done a moment before (they reconcile the
 * same gateway): when LiteLLM refuses it, `done()` says whether the state it wanted is there.
 */
async function unlessRacedBy(write: () => Promise<void>, done: () => Promise<boolean>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof GatewayRequestError && error.status === 400 && (await done())) return false;
    throw error;
  }
}

/** Deletes Paddock's keys; keys another replica deleted first are not a problem. */
async function deleteKeys(admin: LiteLLMAdmin, teamId: string, tokens: readonly string[]): Promise<void> {
  await unlessRacedBy(
    () => admin.deleteKeys(tokens),
    async () => {
      const left = new Set((await admin.teamKeys(teamId)).map((k) => k.token));
      const remaining = tokens.filter((t) => left.has(t));
      if (remaining.length > 0) await admin.deleteKeys(remaining);
      return true;
    },
  );
}

async function convergeTeam(admin: LiteLLMAdmin, desired: DesiredTeam): Promise<GatewayAction[]> {
  const actions: GatewayAction[] = [];
  let actual = await admin.teamInfo(desired.teamId);
  if (!actual) {
    const created = await unlessRacedBy(
      () => admin.newTeam(desired.teamId, desired.team),
      async () => (actual = await admin.teamInfo(desired.teamId)) !== undefined,
    );
    if (created) actions.push('team_created');
  }
  if (actual) {
    const changes = teamChanges(actual, desired.team);
    if (Object.keys(changes).length > 0) {
      await admin.updateTeam(desired.teamId, changes);
      actions.push('team_updated');
    }
  }
  const plan = planKeys(desired, await admin.teamKeys(desired.teamId));
  if (plan.key.kind === 'create') {
    const created = await unlessRacedBy(
      () => admin.generateKey(desired.key, desired.keyFields),
      async () => (await admin.teamKeys(desired.teamId)).some((k) => k.token === desired.token),
    );
    if (created) actions.push('key_created');
  } else if (plan.key.kind === 'update') {
    await admin.updateKey(desired.token, plan.key.changes);
    actions.push('key_updated');
  }
  if (plan.deleteTokens.length > 0) {
    await deleteKeys(admin, desired.teamId, plan.deleteTokens);
    for (let i = 0; i < plan.deleteTokens.length; i++) actions.push('key_deleted');
  }
  return actions;
}

export async function reconcileGateway(admin: LiteLLMAdmin, input: ReconcileInput): Promise<ReconcileReport> {
  const outcomes: TeamOutcome[] = [];
  for (const team of input.teams) {
    let desired: DesiredTeam;
    try {
      desired = desiredTeam(team, input.keys.get(team.name) ?? '', input.stack);
    } catch (error) {
      if (!(error instanceof GatewayKeyError)) throw error;
      outcomes.push({ team: team.name, actions: [], problem: error.message });
      continue;
    }
    try {
      outcomes.push({ team: team.name, actions: await convergeTeam(admin, desired) });
    } catch (error) {
      // the gateway being down ends the pass; a refused value is this team's problem only
      // (and so does a refused master key, which no team can get past)
      if (error instanceof GatewayUnavailableError || !(error instanceof GatewayRequestError) || error.status === 401 || error.status === 403) throw error;
      outcomes.push({ team: team.name, actions: [], problem: error.message });
    }
  }
  const configured = new Set(input.teams.map((t) => teamIdOf(t.name)));
  const removed: { team: string; keys: number }[] = [];
  for (const team of await admin.listTeams()) {
    if (!isManagedTeam(team) || configured.has(team.team_id)) continue;
    // the LiteLLM team stays (its spend history is the record of what was used); its keys go
    const stale = (await admin.teamKeys(team.team_id)).filter(isManagedKey).map((k) => k.token);
    if (stale.length === 0) continue;
    await deleteKeys(admin, team.team_id, stale);
    removed.push({ team: team.team_id, keys: stale.length });
  }
  return { teams: outcomes, removed, converged: outcomes.every((o) => o.problem === undefined) };
}
