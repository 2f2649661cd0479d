import { describe, expect, it } from 'vitest';
import { missingTeamSecrets, setSecretCommand, teamSecretValues } from '../../../infra/inputs/team-secrets.ts';
import { team, validate, minimalKindConfig } from '../../support/fixtures.ts';

const spec = validate(minimalKindConfig([team('web', { secrets: ['A', 'B'] }), team('api', { secrets: ['C'] })]));
const web = spec.teams.find((t) => t.name === 'web')!;

describe('team secrets', () => {
  it('takes one team\'s declared values only, as text', () => {
    expect(teamSecretValues({ web: { A: 'x', B: 42, UNDECLARED: 'y' }, api: { C: 'z' } }, web)).toEqual({ A: 'x', B: '42' });
    expect(teamSecretValues(undefined, web)).toEqual({});
  });

  it('lists the declared secrets without a value', () => {
    expect(missingTeamSecrets({ web: { A: 'x' } }, spec.teams)).toEqual([{ team: 'api', name: 'C' }, { team: 'web', name: 'B' }]);
    expect(missingTeamSecrets(undefined, spec.teams)).toHaveLength(3);
  });

  it('shows the exact command that sets a value', () => {
    expect(setSecretCommand('prod', 'web', 'A')).toBe("pulumi config set -s prod --secret --path 'paddock:teamSecrets.web.A' <value>");
  });
});
