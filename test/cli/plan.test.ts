/**
 * `paddock plan` in-process: argument and config errors (exit non-zero with the messages,
 * nothing planned), and one full mock-based plan of the local stack (the Pulumi runtime is
 * process-global, so one plan per test file; plan-prod.test.ts plans prod).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../cli/plan.ts';
import type { CliIo } from '../../cli/io.ts';
import { MOCK_SECRET_MARKER } from '../../infra/plan/mocks.ts';
import { ENCRYPTED_PLACEHOLDER, MISSING_PLACEHOLDER } from '../../infra/plan/plan-config.ts';

interface Captured extends CliIo {
  out: string;
  err: string;
}

function io(cwd = process.cwd()): Captured {
  const captured: Captured = { cwd, out: '', err: '', stdout: (t) => void (captured.out += t), stderr: (t) => void (captured.err += t), relative: (p) => relative(cwd, p) || '.' };
  return captured;
}

const DOTENV_VALUE = 'plan-fixture-dotenv-value-77e1';
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'paddock-plan-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function stacksDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'stacks-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('paddock plan: usage and config errors', () => {
  it('requires --stack, naming the stacks there are', async () => {
    const c = io();
    expect(await runPlan([], c)).toBe(2);
    expect(c.err).toContain('paddock plan: --stack is required (stacks: local, prod)');
  });

  it('rejects unknown options and unknown stacks', async () => {
    const a = io();
    expect(await runPlan(['--stack', 'local', '--frobnicate'], a)).toBe(2);
    expect(a.err).toContain("Unknown option '--frobnicate'");
    const b = io();
    expect(await runPlan(['--stack', 'staging'], b)).toBe(1);
    expect(b.err).toBe('paddock plan: no stack "staging": stacks/Pulumi.staging.yaml does not exist (stacks: local, prod)\n');
  });

  it('prints its usage on --help', async () => {
    const c = io();
    expect(await runPlan(['--help'], c)).toBe(0);
    expect(c.out).toContain('Offline, mock-based plan');
  });

  it('exits 1 with the YAML error of a broken stack file', async () => {
    const dir = stacksDir({ 'Pulumi.broken.yaml': 'config:\n  paddock:platform: [unclosed\n' });
    const c = io();
    expect(await runPlan(['--stack', 'broken', '--stacks-dir', dir], c)).toBe(1);
    expect(c.err).toMatch(/Pulumi\.broken\.yaml: \(top level\): YAML line \d+, column \d+/);
    expect(c.err).toContain('paddock plan: invalid configuration; nothing planned.');
    expect(c.out).toBe('');
  });

  it('exits 1 with every config problem, each naming the file and key', async () => {
    const dir = stacksDir({
      'Pulumi.bad.yaml': [
        'config:',
        '  paddock:platform:',
        '    environment: kind',
        '    clusterName: Bad_Name',
        '    modelGateway: { url: "http://gw:4000", cidrs: [203.0.113.0/24] }',
        '  paddock:teams:',
        '    - name: web',
        '      harnesses: [{ name: nope }]',
        '      quota: { cpu: "1", memory: 1Gi, maxSandboxes: 1 }',
      ].join('\n'),
    });
    const c = io();
    expect(await runPlan(['--stack', 'bad', '--stacks-dir', dir], c)).toBe(1);
    const file = relative(process.cwd(), join(dir, 'Pulumi.bad.yaml'));
    expect(c.err).toContain(`${file}: paddock:platform.clusterName: "Bad_Name" is not a DNS-1123 label`);
    expect(c.err).toContain(`${file}: paddock:teams[0].harnesses[0].name: unknown harness "nope"`);
    expect(c.out).toBe('');
  });

  it('exits 1 on a broken .env, by line', async () => {
    const envFile = join(work, 'broken.env');
    writeFileSync(envFile, `CONTAINER_ENV_A=1\nCONTAINER_ENV_A=${DOTENV_VALUE}\n`);
    const c = io();
    expect(await runPlan(['--stack', 'local', '--env-file', envFile], c)).toBe(1);
    expect(c.err).toContain(`${envFile}:2: duplicate key "CONTAINER_ENV_A" (first set on line 1)`);
    expect(c.err).not.toContain(DOTENV_VALUE);
  });
});

describe('paddock plan --stack local', () => {
  let out = '';
  beforeAll(async () => {
    const local = readFileSync('stacks/Pulumi.local.yaml', 'utf8');
    // one gateway provider key set (encrypted, as `pulumi config set --secret` writes it), the other and the team secret not
    const dir = stacksDir({ 'Pulumi.local.yaml': `${local}\n  paddock:gatewaySecrets:\n    ANTHROPIC_API_KEY:\n      secure: v1:ZmFrZQ==:ZW5jcnlwdGVk\n` });
    copyFileSync('stacks/Pulumi.prod.yaml', join(dir, 'Pulumi.prod.yaml'));
    const envFile = join(work, 'plan.env');
    writeFileSync(envFile, `CONTAINER_ENV_GIT_COMMITTER_NAME=Bot\nCONTAINER_ENV_SHARED=${DOTENV_VALUE}\n`);
    const c = io();
    const code = await runPlan(['--stack', 'local', '--stacks-dir', dir, '--env-file', envFile, '--show-inputs'], c);
    expect(code, c.err).toBe(0);
    out = c.out;
  }, 120_000);

  it('says what it is: an offline, mock-based plan, not a cloud diff', () => {
    expect(out).toContain('Paddock plan: stack "local" (kind, cluster "paddock-local")');
    expect(out).toContain('offline, mock-based plan, not a cloud diff');
    expect(out).toContain('`pulumi preview -s local` shows the real diff');
  });

  it('lists the resources by parent, with counts per type', () => {
    expect(out).toMatch(/^paddock:index:Platform {2}paddock/m);
    expect(out).toMatch(/^ {2}paddock:kind:Cluster {2}paddock-local/m);
    expect(out).toMatch(/^ {4}command:local:Command {2}kind-cluster$/m);
    expect(out).toMatch(/^ {6}kubernetes:core\/v1:Namespace {2}team-web$/m);
    expect(out).toMatch(/^ +5 {2}kubernetes:core\/v1:Namespace$/m);
    expect(out).toMatch(/^ +14 {2}kubernetes:core\/v1:Secret$/m);
    expect(out).toMatch(/total: \d+ resources, \d+ components/);
  });

  it('shows Secrets by key and secret outputs as [secret]', () => {
    expect(out).toContain('team-web/paddock-container-env  keys: GIT_COMMITTER_NAME, SHARED [secret]');
    expect(out).toContain('    codex asks the gateway for model gpt-5 (PADDOCK_CODEX_MODEL)\n');
    expect(out).toMatch(/^ {2}adminApiToken +\[secret\]$/m);
    expect(out).toMatch(/^ {2}kubeconfig +\[secret\]$/m);
    expect(out).toMatch(/^ {2}clusterName +paddock-local$/m);
  });

  it('tells what to do before pulumi up', () => {
    expect(out).toContain("team \"platform\" declares secret GITHUB_TOKEN but it has no value (planned with a placeholder):\n      pulumi config set -s local --secret --path 'paddock:teamSecrets.platform.GITHUB_TOKEN' <value>");
    expect(out).toContain("the model gateway's provider key OPENAI_API_KEY has no value (planned with a placeholder):\n      pulumi config set -s local --secret --path 'paddock:gatewaySecrets.OPENAI_API_KEY' <value>");
    expect(out).not.toContain('provider key ANTHROPIC_API_KEY');
    expect(out).toContain('1 encrypted value(s) in the stack file were planned with placeholders');
  });

  it('never prints a secret value, even with --show-inputs', () => {
    expect(out).toContain('    | ');
    for (const needle of [DOTENV_VALUE, MOCK_SECRET_MARKER, ENCRYPTED_PLACEHOLDER, MISSING_PLACEHOLDER, 'ZW5jcnlwdGVk']) expect(out).not.toContain(needle);
  });
});
