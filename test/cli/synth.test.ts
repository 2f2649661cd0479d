import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSynth } from '../../cli/synth.ts';
import type { CliIo } from '../../cli/io.ts';

interface Captured extends CliIo {
  out: string;
  err: string;
}

function io(cwd: string): Captured {
  const captured: Captured = {
    cwd,
    out: '',
    err: '',
    stdout: (t) => void (captured.out += t),
    stderr: (t) => void (captured.err += t),
    relative: (p) => relative(cwd, p),
  };
  return captured;
}

function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (!existsSync(dir)) return files;
  for (const stack of readdirSync(dir).sort()) for (const f of readdirSync(join(dir, stack)).sort()) files[`${stack}/${f}`] = readFileSync(join(dir, stack, f), 'utf8');
  return files;
}

describe('paddock synth', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'paddock-synth-'));
    cpSync('stacks', join(work, 'stacks'), { recursive: true });
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('renders one file per chart for every stack, then --check passes', async () => {
    const first = io(work);
    expect(await runSynth([], first), first.err).toBe(0);
    expect(readdirSync(join(work, 'manifests', 'local')).sort()).toEqual(['agent-sandbox.k8s.yaml', 'crds.k8s.yaml', 'model-gateway.k8s.yaml', 'paddock-system.k8s.yaml', 'postgres.k8s.yaml', 'runtime.k8s.yaml', 'team-platform.k8s.yaml', 'team-web.k8s.yaml']);
    expect(readdirSync(join(work, 'manifests', 'prod')).sort()).toEqual(['agent-sandbox.k8s.yaml', 'crds.k8s.yaml', 'kube-system.k8s.yaml', 'model-gateway.k8s.yaml', 'monitoring.k8s.yaml', 'paddock-system.k8s.yaml', 'runtime.k8s.yaml', 'team-data-science.k8s.yaml', 'team-payments.k8s.yaml', 'team-web-platform.k8s.yaml']);
    const check = io(work);
    expect(await runSynth(['--check'], check), check.err).toBe(0);
  });

  it('matches the committed manifests (run `npm run synth` after changing a stack or a builder)', async () => {
    const check = io(process.cwd());
    expect(await runSynth(['--check'], check), check.err).toBe(0);
  });

  it('is byte-identical across runs', async () => {
    await runSynth([], io(work));
    const before = snapshot(join(work, 'manifests'));
    rmSync(join(work, 'manifests'), { recursive: true });
    await runSynth([], io(work));
    expect(snapshot(join(work, 'manifests'))).toEqual(before);
  });

  it('--check names every stale, missing and extra file and writes nothing', async () => {
    await runSynth([], io(work));
    const dir = join(work, 'manifests', 'local');
    writeFileSync(join(dir, 'runtime.k8s.yaml'), 'edited by hand\n');
    rmSync(join(dir, 'team-web.k8s.yaml'));
    writeFileSync(join(dir, 'team-gone.k8s.yaml'), 'old\n');
    const before = snapshot(join(work, 'manifests'));
    const check = io(work);
    expect(await runSynth(['--check'], check)).toBe(1);
    expect(check.err).toContain('stale: manifests/local/runtime.k8s.yaml');
    expect(check.err).toContain('missing: manifests/local/team-web.k8s.yaml');
    expect(check.err).toContain('extra: manifests/local/team-gone.k8s.yaml');
    expect(snapshot(join(work, 'manifests'))).toEqual(before);
  });

  it('on a config error exits 1, prints every problem and leaves the previous tree as it was', async () => {
    await runSynth([], io(work));
    const before = snapshot(join(work, 'manifests'));
    const path = join(work, 'stacks', 'Pulumi.prod.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('name: payments', 'name: Payments Team').replace('maxSandboxes: 6', 'maxSandboxs: 6'));
    const run = io(work);
    expect(await runSynth([], run)).toBe(1);
    expect(run.err).toContain('stacks/Pulumi.prod.yaml: paddock:teams[1].name: "Payments Team" is not a DNS-1123 label');
    expect(run.err).toContain('stacks/Pulumi.prod.yaml: paddock:teams[2].quota.maxSandboxs: unknown key (did you mean "maxSandboxes"?)');
    expect(run.err).toContain('nothing written');
    expect(snapshot(join(work, 'manifests'))).toEqual(before);
  });

  it('names and removes the rendered tree of a deleted stack', async () => {
    await runSynth([], io(work));
    rmSync(join(work, 'stacks', 'Pulumi.prod.yaml'));
    const check = io(work);
    expect(await runSynth(['--check'], check)).toBe(1);
    expect(check.err).toContain('extra: manifests/prod/ (no stacks/Pulumi.prod.yaml)');
    const write = io(work);
    expect(await runSynth([], write)).toBe(0);
    expect(readdirSync(join(work, 'manifests'))).toEqual(['local']);
  });

  it('renders only the stacks asked for, and rejects unknown ones', async () => {
    const run = io(work);
    expect(await runSynth(['--stack', 'local', '--out', 'out'], run), run.err).toBe(0);
    expect(readdirSync(join(work, 'out'))).toEqual(['local']);
    const bad = io(work);
    expect(await runSynth(['--stack', 'staging'], bad)).toBe(1);
    expect(bad.err).toContain('no stack "staging" (expected stacks/Pulumi.staging.yaml)');
  });

  it('rejects unknown flags with usage', async () => {
    const run = io(work);
    expect(await runSynth(['--chek'], run)).toBe(2);
    expect(run.err).toContain('Usage: paddock synth');
  });

  it('adding a team changes only its file and the runtime config lines', async () => {
    await runSynth([], io(work));
    const before = snapshot(join(work, 'manifests'));
    const path = join(work, 'stacks', 'Pulumi.local.yaml');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, `${text}    - name: mobile\n      harnesses:\n        - name: codex\n          model: gpt-5\n          warmPool: 1\n      quota:\n        cpu: "4"\n        memory: 8Gi\n        maxSandboxes: 2\n`);
    expect(await runSynth([], io(work))).toBe(0);
    const after = snapshot(join(work, 'manifests'));
    const changed = Object.keys(after).filter((f) => after[f] !== before[f]).sort();
    expect(changed).toEqual(['local/runtime.k8s.yaml', 'local/team-mobile.k8s.yaml']);
    const removed = before['local/runtime.k8s.yaml']!.split('\n');
    const added = after['local/runtime.k8s.yaml']!.split('\n').filter((l) => !removed.includes(l));
    expect(added.join('\n')).toContain('"namespace": "team-mobile"');
  });
});
