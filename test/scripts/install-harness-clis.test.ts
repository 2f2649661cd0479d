/**
 * scripts/install-harness-clis.sh on a copy of the repository layout: a harness that pins a CLI
 * (here a local `file:` package, so no registry is needed) is installed and stamped; the scripted
 * harness, whose package.json has only devDependencies, pins no CLI and is left out; naming it
 * explicitly is a clear error, not a failed write.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
let root: string;

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', [join(root, 'scripts', 'install-harness-clis.sh'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'paddock-install-clis-'));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(repo, 'scripts', 'install-harness-clis.sh'), join(root, 'scripts', 'install-harness-clis.sh'));
  mkdirSync(join(root, 'harnesses', 'scripted'), { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(repo, 'harnesses', 'scripted', file), join(root, 'harnesses', 'scripted', file));

  const cli = join(root, 'vendor', 'tiny-cli');
  mkdirSync(cli, { recursive: true });
  writeFileSync(join(cli, 'package.json'), JSON.stringify({ name: 'tiny-cli', version: '1.2.3', bin: { tiny: 'tiny.js' } }));
  writeFileSync(join(cli, 'tiny.js'), '#!/usr/bin/env node\nconsole.log("tiny 1.2.3");\n', { mode: 0o755 });
  const harness = join(root, 'harnesses', 'tiny');
  mkdirSync(harness);
  writeFileSync(join(harness, 'package.json'), JSON.stringify({ name: 'harness-tiny', private: true, dependencies: { 'tiny-cli': 'file:../../vendor/tiny-cli' }, devDependencies: {} }));
  const lock = spawnSync('npm', ['install', '--package-lock-only', '--offline', '--no-audit', '--no-fund', '--prefix', harness], { encoding: 'utf8', timeout: 60_000 });
  if (lock.status !== 0) throw new Error(`could not write the test harness's lockfile: ${lock.stderr}`);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('install-harness-clis.sh', () => {
  it('installs every harness that pins a CLI, stamps it, and leaves out the scripted harness', () => {
    const first = run();
    expect(first.stderr).not.toMatch(/No such file/);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('install-harness-clis: tiny: tiny tiny 1.2.3');
    expect(first.stdout).not.toContain('scripted');
    expect(existsSync(join(root, 'harnesses', 'tiny', 'node_modules', '.paddock-lock.sha256'))).toBe(true);
    expect(existsSync(join(root, 'harnesses', 'scripted', 'node_modules'))).toBe(false);

    const again = run();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('install-harness-clis: tiny is up to date');
  });

  it('names the harness that pins no CLI when asked for it, and exits 2', () => {
    const result = run('scripted');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('harnesses/scripted/package.json has no runtime dependency');
  });
});
