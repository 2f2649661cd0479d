/**
 * scripts/e2e-kind.sh run for real (bash, node, the helper) against fake pulumi, kind, kubectl,
 * curl and docker that record their calls (test/scripts/support/fake-e2e-tool.sh): the call
 * sequence, destroy on every way out, the stack file put back, the token never on a command
 * line, and the prerequisite messages. The script runs in a copy of the repository whose
 * stacks/ is a copy, so the real stack file is never touched.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KIND_NODE_IMAGES } from '../../config/versions/container-images.ts';
import { locallyBuiltImages } from '../../infra/kind/images.ts';
import { shippedSpec } from '../support/fixtures.ts';

const REPO = resolve('.');
const FAKE_TOOL = join(REPO, 'test/scripts/support/fake-e2e-tool.sh');
const FAKE_TOKEN = 'tok-e2e-4c1d9a';
const TOOLS = ['pulumi', 'kind', 'kubectl', 'curl', 'docker'] as const;
// what the script and the fake use from the system; nothing else is on PATH
const SYSTEM_TOOLS = ['bash', 'node', 'env', 'mktemp', 'cp', 'cmp', 'rm', 'cat', 'grep', 'sleep', 'timeout', 'dirname', 'basename'];

interface Run {
  readonly code: number | null;
  readonly stderr: string;
  readonly calls: string[];
  readonly stackFile: string;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function which(tool: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      if (readdirSync(dir).includes(tool)) return join(dir, tool);
    } catch {
      // not a readable directory
    }
  }
  throw new Error(`${tool} is not on PATH`);
}

async function runScript(options: { scenario?: string; env?: Record<string, string>; withoutTools?: readonly string[] } = {}): Promise<Run> {
  const root = mkdtempSync(join(tmpdir(), 'paddock-e2e-kind-'));
  dirs.push(root);
  const repo = join(root, 'repo');
  mkdirSync(repo);
  for (const entry of readdirSync(REPO)) if (entry !== 'stacks' && entry !== '.git') symlinkSync(join(REPO, entry), join(repo, entry));
  cpSync(join(REPO, 'stacks'), join(repo, 'stacks'), { recursive: true });
  const bin = join(root, 'bin');
  mkdirSync(bin);
  for (const tool of TOOLS) if (!options.withoutTools?.includes(tool)) symlinkSync(FAKE_TOOL, join(bin, tool));
  for (const tool of SYSTEM_TOOLS) symlinkSync(which(tool), join(bin, tool));
  const log = join(root, 'calls.log');

  const child = spawn('bash', [join(repo, 'scripts/e2e-kind.sh')], {
    cwd: root,
    env: { PATH: bin, HOME: root, TMPDIR: root, FAKE_LOG: log, FAKE_TOKEN, FAKE_KIND_VERSION: LOCAL_KIND_RELEASE, FAKE_SCENARIO: options.scenario ?? '', E2E_PORT: '18999', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  let calls: string[] = [];
  try {
    calls = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    // no tool was called
  }
  return { code, stderr, calls, stackFile: readFileSync(join(repo, 'stacks/Pulumi.local.yaml'), 'utf8') };
}

const ORIGINAL_STACK_FILE = readFileSync('stacks/Pulumi.local.yaml', 'utf8');
const LOCAL_KIND_RELEASE = Object.values(KIND_NODE_IMAGES).find((e) => e.image === shippedSpec('local').platform.kind!.nodeImage)!.kindRelease;
const pulumiCalls = (run: Run) => run.calls.filter((c) => c.startsWith('pulumi ')).map((c) => c.split(' ').slice(1, 3).join(' '));

describe('scripts/e2e-kind.sh', () => {
  it('brings the stack up, opens a session with the scripted harness, sees the turn done, and destroys everything it created', async () => {
    const run = await runScript();
    expect(run.code, run.stderr).toBe(0);
    expect(pulumiCalls(run)).toEqual(['whoami --non-interactive', 'stack ls', 'stack init', 'config set', 'config set', 'config set', 'up -s', 'stack output', 'stack output', 'stack output', 'destroy -s', 'stack rm']);
    // the placeholders go to exactly the secrets the local stack declares
    expect(run.calls.filter((c) => c.startsWith('pulumi config set')).map((c) => /--path (\S+)/.exec(c)?.[1])).toEqual(['paddock:teamSecrets.platform.GITHUB_TOKEN', 'paddock:gatewaySecrets.ANTHROPIC_API_KEY', 'paddock:gatewaySecrets.OPENAI_API_KEY']);
    expect(run.calls).toContain('pulumi stack output -s local --show-secrets teamApiToken-platform --non-interactive');
    // every image kind loads is checked before anything is created
    const inspected = run.calls.filter((c) => c.startsWith('docker image inspect ')).map((c) => c.split(' ')[3]);
    expect(inspected).toEqual(locallyBuiltImages(shippedSpec('local')));
    expect(run.calls.findLastIndex((c) => c.startsWith('docker image inspect'))).toBeLessThan(run.calls.findIndex((c) => c.startsWith('pulumi stack init')));
    // kubectl uses the stack's kubeconfig output, written to a file, whatever the user's kubeconfig holds
    const kubectl = run.calls.filter((c) => c.startsWith('kubectl ')).map((c) => c.replace(/--kubeconfig \S+\/kubeconfig/, '--kubeconfig KUBECONFIG'));
    expect(kubectl).toEqual([
      'kubectl --kubeconfig KUBECONFIG --context kind-paddock-local -n paddock-system rollout status deployment/paddock-runtime --timeout=300s',
      'kubectl --kubeconfig KUBECONFIG --context kind-paddock-local -n paddock-system port-forward svc/paddock-runtime 18999:8080',
    ]);
    const api = run.calls.filter((c) => c.startsWith('curl ')).map((c) => `${/-X (\w+)/.exec(c)?.[1] ?? 'GET'} ${/http:\/\/\S+/.exec(c)![0]}`);
    expect(api).toEqual([
      'GET http://127.0.0.1:18999/readyz',
      'POST http://127.0.0.1:18999/v1/sessions',
      'POST http://127.0.0.1:18999/v1/sessions/sess-1/messages',
      'GET http://127.0.0.1:18999/v1/sessions/sess-1/events?limit=1000',
      'GET http://127.0.0.1:18999/v1/sessions/sess-1/events?limit=1000',
      'DELETE http://127.0.0.1:18999/v1/sessions/sess-1',
    ]);
    expect(run.calls.join('\n')).not.toContain(FAKE_TOKEN);
    expect(run.stderr).not.toContain(FAKE_TOKEN);
    expect(run.stderr).toContain('I heard: hello from e2e-kind (turn 1, 0 history messages)');
    expect(run.stackFile).toBe(ORIGINAL_STACK_FILE);
    expect(run.calls.some((c) => c.includes(' logs '))).toBe(false);
    expect(run.stderr).not.toContain('warning: kind');
  }, 120_000);

  it('destroys the stack and removes it when pulumi up fails', async () => {
    const run = await runScript({ scenario: 'up-fails' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('FAILED: pulumi up -s local failed or timed out');
    expect(pulumiCalls(run).slice(-3)).toEqual(['up -s', 'destroy -s', 'stack rm']);
    expect(run.stackFile).toBe(ORIGINAL_STACK_FILE);
  }, 120_000);

  it('gives up on a pulumi up that hangs, after its timeout, and destroys', async () => {
    const run = await runScript({ scenario: 'up-hangs', env: { E2E_UP_TIMEOUT: '2' } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('FAILED: pulumi up -s local failed or timed out');
    expect(pulumiCalls(run).slice(-2)).toEqual(['destroy -s', 'stack rm']);
  }, 120_000);

  it('fails on a turn that ends in an error, naming it, and still destroys', async () => {
    const run = await runScript({ scenario: 'turn-error' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('the turn ended with error, not end_turn');
    expect(run.stderr).toContain('error event harness_unavailable: no sandbox');
    expect(pulumiCalls(run).slice(-2)).toEqual(['destroy -s', 'stack rm']);
    expect(run.calls.some((c) => c.startsWith('curl') && c.includes('DELETE'))).toBe(false);
    // the cluster is described before it is destroyed
    const logs = run.calls.findIndex((c) => /^kubectl --kubeconfig \S+ --context kind-paddock-local --request-timeout=20s -n paddock-system logs deployment\/paddock-runtime --tail=100$/.test(c));
    expect(logs).toBeGreaterThan(-1);
    expect(logs).toBeLessThan(run.calls.findIndex((c) => c.startsWith('pulumi destroy')));
  }, 120_000);

  it('when destroy fails, keeps the stack and the encryption salt its secrets need, and says so', async () => {
    const run = await runScript({ scenario: 'destroy-fails' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('pulumi destroy failed: the stack and its kind cluster may be left');
    expect(pulumiCalls(run)).not.toContain('stack rm');
    expect(run.stackFile).toContain('encryptionsalt: v1:fake-salt');
  }, 120_000);

  it('with KEEP=1 leaves the stack, its cluster and its stack file as they are (and warns of a kind release other than the node image\'s)', async () => {
    const run = await runScript({ env: { KEEP: '1', FAKE_KIND_VERSION: 'v0.29.0' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`warning: kind v0.29.0 is installed; the stack's node image was published with kind ${LOCAL_KIND_RELEASE}`);
    expect(pulumiCalls(run)).not.toContain('destroy -s');
    expect(pulumiCalls(run)).not.toContain('stack rm');
    expect(run.stackFile).toContain('encryptionsalt: v1:fake-salt');
  }, 120_000);

  it('refuses a stack or a kind cluster that already exists, since it would destroy them', async () => {
    const existing = await runScript({ scenario: 'existing-stack' });
    expect(existing.code).not.toBe(0);
    expect(existing.stderr).toContain('stack local exists, and this test destroys its stack at the end');
    const orphan = await runScript({ scenario: 'orphan-cluster' });
    expect(orphan.code).not.toBe(0);
    expect(orphan.stderr).toContain('kind cluster paddock-local exists but stack local does not');
    for (const run of [existing, orphan]) {
      expect(pulumiCalls(run)).not.toContain('up -s');
      expect(pulumiCalls(run)).not.toContain('destroy -s');
      expect(run.stackFile).toBe(ORIGINAL_STACK_FILE);
    }
  }, 120_000);

  it('names each image that is neither built nor pullable, with its build command, before creating anything', async () => {
    const run = await runScript({ scenario: 'no-codex-image' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('missing image ghcr.io/paddock-dev/harness-codex:0.1.0: build it with docker build -t ghcr.io/paddock-dev/harness-codex:0.1.0 -f harnesses/codex/Dockerfile .');
    expect(run.stderr).not.toContain('missing image ghcr.io/paddock-dev/harness-scripted');
    expect(run.calls).toContain('docker pull --quiet ghcr.io/paddock-dev/harness-codex:0.1.0');
    expect(pulumiCalls(run)).not.toContain('stack init');
    expect(pulumiCalls(run)).not.toContain('destroy -s');
  }, 120_000);

  it('names every missing prerequisite at once and calls nothing', async () => {
    const run = await runScript({ withoutTools: ['pulumi', 'kind'] });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('missing prerequisite: pulumi (Pulumi CLI 3.x');
    expect(run.stderr).toContain('missing prerequisite: kind (kind: https://kind.sigs.k8s.io');
    expect(run.stderr).not.toContain('missing prerequisite: kubectl');
    expect(run.calls).toEqual([]);
    const dockerDown = await runScript({ scenario: 'docker-down' });
    expect(dockerDown.stderr).toContain('Docker is not running');
    expect(dockerDown.calls).toEqual(['docker info']);
  }, 120_000);
});
