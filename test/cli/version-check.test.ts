/**
 * `paddock synth` and `paddock plan` check the stack's versions on the day they run (the clock
 * is the CliIo's, fixed here): a warning on stderr naming the stack file and the key for a
 * version in extended support, exit 1 and nothing written or planned past extended support or
 * for a version without data. The rendered output never depends on the day.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.ts';
import { runPlan } from '../../cli/plan.ts';
import { runSynth } from '../../cli/synth.ts';

interface Captured extends CliIo {
  out: string;
  err: string;
}

const DAY = new Date('2026-12-04T08:00:00Z');

function io(cwd: string, now: Date = DAY): Captured {
  const captured: Captured = { cwd, out: '', err: '', stdout: (t) => void (captured.out += t), stderr: (t) => void (captured.err += t), relative: (p) => relative(cwd, p) || '.', now: () => now };
  return captured;
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'paddock-versions-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the shipped stacks with the prod stack file edited. */
function project(edit: (prod: string) => string): string {
  const dir = mkdtempSync(join(work, 'project-'));
  cpSync('stacks', join(dir, 'stacks'), { recursive: true });
  const prod = join(dir, 'stacks', 'Pulumi.prod.yaml');
  const before = readFileSync(prod, 'utf8');
  const after = edit(before);
  expect(after, 'the edit changed the stack file').not.toBe(before);
  writeFileSync(prod, after);
  return dir;
}

const kubernetes = (version: string) => (text: string) => text.replace(/kubernetesVersion: "1\.\d+"/, `kubernetesVersion: "${version}"`);
const engine = (version: string, auto: boolean) => (text: string) => text.replace(/engineVersion: "\d+"/, `engineVersion: "${version}"`).replace('autoMinorVersionUpgrade: true', `autoMinorVersionUpgrade: ${auto}`);

describe('paddock synth: versions on the day it runs', () => {
  it('refuses the old defaults (EKS 1.30, RDS 16.4), naming file and key, and writes nothing', async () => {
    const dir = project((t) => engine('16.4', false)(kubernetes('1.30')(t)));
    const c = io(dir);
    expect(await runSynth([], c)).toBe(1);
    expect(c.err).toContain('stacks/Pulumi.prod.yaml: paddock:platform.eks.kubernetesVersion: "1.30" is past EKS extended support since 2026-07-23');
    expect(c.err).toContain('stacks/Pulumi.prod.yaml: paddock:platform.database.engineVersion: "16.4" can no longer be created on RDS');
    expect(c.err).toContain('paddock synth: nothing written.');
    expect(existsSync(join(dir, 'manifests'))).toBe(false);
  });

  it('warns for a version in extended support and renders the same files as on any other day', async () => {
    const dir = project(kubernetes('1.34'));
    const c = io(dir);
    expect(await runSynth([], c), c.err).toBe(0);
    expect(c.err).toBe('warning: stacks/Pulumi.prod.yaml: paddock:platform.eks.kubernetesVersion: "1.34" is past EKS standard support since 2026-12-02: the cluster runs on extended support (billed per cluster hour) until 2027-12-02; use "1.35"\n');
    const later = io(dir, new Date('2027-06-01T00:00:00Z'));
    expect(await runSynth(['--check'], later), later.err).toBe(0);
    expect(readdirSync(join(dir, 'manifests', 'prod')).length).toBeGreaterThan(0);
  });

  it('passes the shipped stacks today without a word on stderr', async () => {
    const dir = mkdtempSync(join(work, 'shipped-'));
    cpSync('stacks', join(dir, 'stacks'), { recursive: true });
    const c = io(dir);
    expect(await runSynth([], c)).toBe(0);
    expect(c.err).toBe('');
  });

  it('refuses the shipped prod stack on the day 1.35 leaves extended support', async () => {
    const dir = mkdtempSync(join(work, 'future-'));
    cpSync('stacks', join(dir, 'stacks'), { recursive: true });
    const c = io(dir, new Date('2028-03-27T00:00:00Z'));
    expect(await runSynth(['--stack', 'prod'], c)).toBe(1);
    expect(c.err).toContain('paddock:platform.eks.kubernetesVersion: "1.35" is past EKS extended support since 2028-03-27');
  });
});

describe('paddock plan: versions on the day it runs', () => {
  it('refuses a version past extended support, or one without confirmed dates, and plans nothing', async () => {
    for (const [version, message] of [
      ['1.31', '"1.31" is past EKS extended support since 2026-11-26'],
      ['1.36', '"1.36" has no confirmed EKS support dates'],
    ] as const) {
      const dir = project(kubernetes(version));
      const c = io(dir);
      expect(await runPlan(['--stack', 'prod'], c)).toBe(1);
      expect(c.err).toContain(`stacks/Pulumi.prod.yaml: paddock:platform.eks.kubernetesVersion: ${message}`);
      expect(c.err).toContain('paddock plan: invalid configuration; nothing planned.');
      expect(c.out).toBe('');
    }
  });

  it('refuses a pinned RDS minor with automatic minor upgrades on', async () => {
    const c = io(project(engine('17.7', true)));
    expect(await runPlan(['--stack', 'prod'], c)).toBe(1);
    expect(c.err).toContain('stacks/Pulumi.prod.yaml: paddock:platform.database.engineVersion: "17.7" pins a minor version while autoMinorVersionUpgrade is on');
  });

  it('plans a cluster in extended support, warning once on stderr (the program\'s own warning stays silent)', async () => {
    const c = io(project(kubernetes('1.33')));
    expect(await runPlan(['--stack', 'prod'], c), c.err).toBe(0);
    expect(c.err).toBe('warning: stacks/Pulumi.prod.yaml: paddock:platform.eks.kubernetesVersion: "1.33" is past EKS standard support since 2026-07-29: the cluster runs on extended support (billed per cluster hour) until 2027-07-29; use "1.35"\n');
    expect(c.out).toContain('Versions:\n  checked on 2026-12-04 against config/versions/\n  Kubernetes 1.33 on EKS: EXTENDED support (billed per cluster hour) until 2027-07-29; upgrade policy EXTENDED\n');
  }, 120_000);
});
