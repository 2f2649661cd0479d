/**
 * The real entry point (infra/index.ts), imported after the mocks are in place, refuses an
 * invalid configuration before registering a single resource, with one clean line per problem.
 */
import * as pulumi from '@pulumi/pulumi';
import { expect, it } from 'vitest';
import { paddockMocks, type RecordedResource } from '../../infra/plan/mocks.ts';
import { engineConfig } from '../../infra/plan/plan-config.ts';
import { minimalKindConfig, team } from '../support/fixtures.ts';

it('stops with every config problem before creating anything', async () => {
  const recorded: RecordedResource[] = [];
  await pulumi.runtime.setMocks(paddockMocks((r) => recorded.push(r), 'mock-region-1'), 'paddock', 'broken', false);
  const config = {
    ...minimalKindConfig([team('web', { secrets: ['OPENAI_API_KEY', 'GITHUB_TOKEN'] })]),
    'paddock:teamSecrets': { web: { OPENAI_API_KEY: 'sk-never-printed', STRAY: 'also-never-printed' } },
    'paddock:envFile': 'test/infra/fixtures/does-not-exist.env',
  };
  pulumi.runtime.setAllConfig(engineConfig(config), ['paddock:teamSecrets']);
  const program = (await import('../../infra/index.ts')).default;

  const error = await program().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(pulumi.RunError);
  const message = (error as Error).message;
  expect(message.split('\n')).toEqual([
    'invalid Paddock configuration; nothing was changed:',
    'test/infra/fixtures/does-not-exist.env: file does not exist',
    "stacks/Pulumi.broken.yaml: paddock:teamSecrets.web.GITHUB_TOKEN: team \"web\" declares secret \"GITHUB_TOKEN\" but no value is set: pulumi config set -s broken --secret --path 'paddock:teamSecrets.web.GITHUB_TOKEN' <value>",
    "stacks/Pulumi.broken.yaml: paddock:teamSecrets.web.STRAY: team \"web\" does not declare secret \"STRAY\" (add it to its \"secrets\" list, or remove the value with `pulumi config rm -s broken --path 'paddock:teamSecrets.web.STRAY'`)",
  ]);
  expect(message).not.toContain('never-printed');
  await pulumi.runtime.disconnect();
  expect(recorded).toEqual([]);
});
