/**
 * docs/deploying.md "Teardown" (issue 18 §4): the snapshot that keeps the data is taken in the
 * stack's region (the AWS CLI's default region may be another one, and the command would then
 * find no instance), and the destroy waits until that snapshot is available.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

function teardownCommands(doc: string): string[] {
  const section = /\n## Teardown\n([\s\S]*?)(\n## |$)/.exec(doc)?.[1];
  if (!section) throw new Error('docs/deploying.md: no "## Teardown" section');
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/deploying.md: no sh block under "## Teardown"');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

const option = (command: string, name: string) => new RegExp(`${name}[ =]("[^"]*"|\\S+)`).exec(command)?.[1];
const commands = teardownCommands(readFileSync('docs/deploying.md', 'utf8'));

describe('docs/deploying.md: teardown of the EKS stack', () => {
  it('runs every AWS CLI command in the stack\'s region, read from the stack', () => {
    const aws = commands.filter((c) => c.startsWith('aws '));
    expect(aws.length).toBeGreaterThanOrEqual(2);
    for (const command of aws) expect(option(command, '--region'), command).toBe('"$REGION"');
    expect(commands).toContain('REGION="$(pulumi stack output region -s prod)"');
  });

  it('waits for the snapshot to be available before anything is destroyed', () => {
    const create = commands.findIndex((c) => c.startsWith('aws rds create-db-snapshot '));
    const wait = commands.findIndex((c) => c.startsWith('aws rds wait db-snapshot-available '));
    const destroy = commands.findIndex((c) => c.startsWith('pulumi destroy '));
    expect(create, 'a snapshot is taken').toBeGreaterThanOrEqual(0);
    expect(wait, 'the snapshot is waited for').toBeGreaterThan(create);
    expect(destroy, 'and only then destroyed').toBeGreaterThan(wait);
    expect(option(commands[wait]!, '--db-snapshot-identifier')).toBe(option(commands[create]!, '--db-snapshot-identifier'));
    expect(option(commands[create]!, '--db-instance-identifier')).toBe('paddock-prod-postgres');
  });
});
