/**
 * Every `pulumi stack output NAME` in README.md, docs/ and scripts/ names an output the Pulumi
 * program really exports: the program of each shipped stack runs under mocks in a child
 * process (one Pulumi runtime per process) and reports its output names.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_STACKS } from '../support/fixtures.ts';
import { namesOutput, stackOutputCommands, type StackOutputCommand } from './support/stack-output-commands.ts';

interface StackOutputs {
  readonly outputs: string[];
  readonly teams: string[];
  readonly urns: string[];
}

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const DOCUMENTS = ['README.md', ...filesUnder('docs', '.md'), ...filesUnder('scripts', '.sh')];
const commands = DOCUMENTS.flatMap((file) => stackOutputCommands(file, readFileSync(file, 'utf8')));
/** `urn:pulumi:<stack>::...` written in the docs, e.g. for `pulumi up --replace`. */
const urns = DOCUMENTS.flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, i) => [...text.matchAll(/urn:pulumi:[^\s'"`)]+/g)].map((m) => ({ file, line: i + 1, urn: m[0] }))),
);

const stacks = new Map<string, StackOutputs>();

function problem(command: StackOutputCommand): string | undefined {
  if (command.name === undefined) return undefined;
  const candidates = command.stack === undefined ? [...stacks.keys()] : [command.stack];
  const unknownStack = candidates.find((s) => !stacks.has(s));
  if (unknownStack) return `${command.file}:${command.line}: \`${command.text}\`: no shipped stack "${unknownStack}"`;
  if (candidates.some((s) => namesOutput(command.name!, stacks.get(s)!.outputs, stacks.get(s)!.teams))) return undefined;
  return `${command.file}:${command.line}: \`${command.text}\`: "${command.name}" is not an output of stack ${candidates.join(' or ')} (it has ${candidates.map((s) => stacks.get(s)!.outputs.join(', ')).join('; ')})`;
}

describe('pulumi stack output in the docs', () => {
  beforeAll(async () => {
    const run = promisify(execFile);
    const results = await Promise.all(
      SHIPPED_STACKS.map(async (stack) => {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/docs/support/print-stack-outputs.ts', stack], { maxBuffer: 16 * 1024 * 1024 });
        return [stack, JSON.parse(stdout.trim().split('\n').at(-1)!) as StackOutputs] as const;
      }),
    );
    for (const [stack, outputs] of results) stacks.set(stack, outputs);
  }, 180_000);

  it('finds the commands (README, docs, scripts)', () => {
    expect(commands.filter((c) => c.file === 'README.md' && c.name !== undefined).length).toBeGreaterThan(0);
    expect(commands.filter((c) => c.file.startsWith('docs/') && c.name !== undefined).length).toBeGreaterThan(0);
  });

  it('names only outputs the program exports', () => {
    expect(stacks.get('local')!.outputs).toContain('adminApiToken');
    expect(commands.map(problem).filter((p) => p !== undefined)).toEqual([]);
  });

  it('writes only URNs of resources the program registers', () => {
    expect(urns.length).toBeGreaterThan(0);
    const unknown = urns.filter(({ urn }) => !stacks.get(urn.split(':')[2]!.replace(/::.*$/, ''))?.urns.includes(urn));
    expect(unknown.map(({ file, line, urn }) => `${file}:${line}: ${urn}`)).toEqual([]);
  });
});

describe('reading pulumi stack output commands', () => {
  it('takes the name, the stack and the flags apart', () => {
    const text = [
      'pulumi stack output -s local --show-secrets teamTokens   # the token',
      '  --role-arn "$(pulumi stack output clusterAdminRoleArn -s prod)"',
      'TOKEN=$(pulumi stack output -s "$STACK" --show-secrets "teamApiToken-${TEAM}")',
      'see `pulumi stack output --json -s local` for all',
      'context="$(pulumi stack output -s local kubeContext --non-interactive)"',
      'pulumi stack output -s local --show-secrets kubeconfig >"$work/kubeconfig"',
      'read it with `pulumi stack output --show-secrets teamApiToken-<team>` <input',
    ].join('\n');
    expect(stackOutputCommands('x.md', text).map(({ stack, name, line }) => ({ stack, name, line }))).toEqual([
      { stack: 'local', name: 'teamTokens', line: 1 },
      { stack: 'prod', name: 'clusterAdminRoleArn', line: 2 },
      { stack: undefined, name: 'teamApiToken-${TEAM}', line: 3 },
      { stack: 'local', name: undefined, line: 4 },
      { stack: 'local', name: 'kubeContext', line: 5 },
      { stack: 'local', name: 'kubeconfig', line: 6 },
      { stack: undefined, name: 'teamApiToken-<team>', line: 7 },
    ]);
  });

  it('matches per-team outputs by template, and nothing else', () => {
    const outputs = ['adminApiToken', 'kubeContext', 'teamApiToken-platform', 'teamApiToken-web'];
    const teams = ['platform', 'web'];
    for (const name of ['adminApiToken', 'teamApiToken-web', 'teamApiToken-mobile', 'teamApiToken-<team>', 'teamApiToken-$TEAM', 'teamApiToken-${E2E_TEAM}']) expect(namesOutput(name, outputs, teams), name).toBe(true);
    for (const name of ['teamTokens', 'teamApiToken', 'teamApiToken-', 'teamApiToken-Mobile', 'adminApiToken-web', 'kubeContext-<team>', 'clusterAdminRoleArn']) expect(namesOutput(name, outputs, teams), name).toBe(false);
  });
});
