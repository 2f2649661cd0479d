/** The gateway key plan's rules, without a gateway: desired records, changes, what is Paddock's. */
import { describe, expect, it } from 'vitest';
import { checkKeyValue, desiredTeam, isManagedKey, isManagedTeam, keyAliasOf, planKeys, teamChanges, tokenOf } from '../../../runtime/gateway/key-plan.ts';

const KEY = 'sk-paddock-0123456789abcdefghijkl';

describe('gateway key plan', () => {
  it('binds the key to the team and its models; budget and limits live on the team', () => {
    const desired = desiredTeam({ name: 'alpha', models: ['b', 'a'], budget: { maxUsd: 12.5, period: '1mo' }, rpm: 60 }, ` ${KEY}\n`, 'prod');
    expect(desired.teamId).toBe('paddock-alpha');
    expect(desired.team).toEqual({ team_alias: 'paddock prod/alpha', models: ['a', 'b'], max_budget: 12.5, budget_duration: '1mo', rpm_limit: 60, tpm_limit: null, metadata: { paddock_managed: true, paddock_team: 'alpha', paddock_stack: 'prod' } });
    expect(desired.keyFields).toEqual({ key_alias: keyAliasOf('alpha', tokenOf(KEY)), team_id: 'paddock-alpha', models: ['a', 'b'], metadata: desired.team.metadata });
    expect(desired.key).toBe(KEY);
    expect(desired.keyFields.key_alias).toMatch(/^paddock-alpha-[0-9a-f]{12}$/);
  });

  it('refuses a key LiteLLM would refuse, naming the Secret key and never the value', () => {
    expect(() => checkKeyValue('alpha', undefined)).toThrow(/no non-empty key "team-alpha"/);
    expect(() => checkKeyValue('alpha', 'pk-0123456789012345678901234')).toThrow(/does not start with "sk-"/);
    expect(() => checkKeyValue('alpha', 'sk-short')).toThrow(/shorter than 24/);
    try {
      checkKeyValue('alpha', 'pk-secret-value-000000000000');
    } catch (error) {
      expect(String(error)).not.toContain('pk-secret-value');
    }
  });

  it('lists only the team fields that differ, clearing what the config removed', () => {
    const desired = desiredTeam({ name: 'alpha', models: ['a'] }, KEY, 'prod').team;
    expect(teamChanges({ team_id: 'paddock-alpha', ...desired }, desired)).toEqual({});
    expect(teamChanges({ team_id: 'paddock-alpha', ...desired, models: ['a', 'b'], max_budget: 3, budget_duration: '30d', metadata: { paddock_managed: true, other: 1 } }, desired)).toEqual({
      models: ['a'],
      max_budget: null,
      budget_duration: null,
      metadata: { paddock_managed: true, other: 1, paddock_team: 'alpha', paddock_stack: 'prod' },
    });
  });

  it('creates a missing key, updates a drifted one, and deletes only Paddock\'s other keys', () => {
    const desired = desiredTeam({ name: 'alpha', models: ['a'] }, KEY, 'prod');
    const mine = { token: 'old', key_alias: 'paddock-alpha-0ld', metadata: { paddock_managed: true } };
    const handMade = { token: 'hand', key_alias: 'someone', metadata: {} };
    expect(planKeys(desired, [mine, handMade])).toEqual({ key: { kind: 'create' }, deleteTokens: ['old'] });
    const current = { token: desired.token, ...desired.keyFields };
    expect(planKeys(desired, [current])).toEqual({ key: { kind: 'keep' }, deleteTokens: [] });
    expect(planKeys(desired, [{ ...current, models: ['a', 'z'], team_id: 'other' }]).key).toEqual({ kind: 'update', changes: { models: ['a'], team_id: 'paddock-alpha' } });
    expect(isManagedKey(handMade)).toBe(false);
    expect(isManagedKey({ token: 'x', key_alias: 'paddock-x', metadata: { paddock_managed: 'yes' } })).toBe(false);
    expect(isManagedTeam({ team_id: 'paddock-a', metadata: { paddock_managed: true } })).toBe(true);
    expect(isManagedTeam({ team_id: 'other', metadata: { paddock_managed: true } })).toBe(false);
  });
});
