/**
 * Test support for the CLI-driven harnesses: finding the installed CLI (or explaining why its
 * tests are skipped, or in CI why they fail), fresh sandbox directories per harness process, and a conformance profile
 * whose agent is the real CLI talking to the fake model server on loopback.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import type { ConformanceProfile } from '../../../harnesses/conformance/profile.ts';
import { resolveCli } from '../../../harnesses/cli-adapter/resolve-cli.ts';
import { harnessDir } from '../../../harnesses/registry.ts';
import { TOOL_MARKER } from '../../support/fake-model/brain.ts';
import type { FakeModelServer } from '../../support/fake-model/server.ts';

export interface InstalledCli {
  readonly path: string;
  readonly version: string;
}

/** The CLI a harness would run, when it is installed and answers --version; else why not. */
export function installedCli(harness: string, name: string, explicit: string | undefined): InstalledCli | { readonly missing: string } {
  const path = resolveCli({ explicit, harnessDir: harnessDir(harness), name });
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error || probe.status !== 0) {
    return { missing: `the ${name} CLI is not installed (${probe.error ? (probe.error as NodeJS.ErrnoException).code : `exit ${probe.status}`} for "${path}"): run scripts/install-harness-clis.sh ${harness}` };
  }
  return { path, version: probe.stdout.trim() };
}

/** CI sets CI=true (GitHub Actions, GitLab, .ci/run's callers); "false" and "0" mean not CI. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/**
 * The test standing in for a suite whose CLI is missing: skipped, saying why, on a developer's
 * machine; failing in CI, where .ci/run installs the CLIs, so a broken install is never a quiet skip.
 */
export function missingCliTest(missing: string): void {
  if (inCi()) {
    it(`cannot run: ${missing}`, () => {
      throw new Error(`${missing}; in CI (CI=${process.env.CI}) a harness suite that cannot run fails instead of skipping`);
    });
  } else {
    it.skip(`skipped: ${missing}`, () => undefined);
  }
}

/** Fresh HOME and workspace directories, removed by cleanup(). */
export class SandboxDirs {
  private readonly made: string[] = [];

  create(harness: string): { readonly home: string; readonly workspace: string } {
    const root = mkdtempSync(join(tmpdir(), `paddock-${harness}-`));
    this.made.push(root);
    const home = join(root, 'home');
    const workspace = join(root, 'workspace');
    spawnSync('mkdir', ['-p', home, workspace]);
    return { home, workspace };
  }

  cleanup(): void {
    for (const dir of this.made.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** The inputs understood by the fake model's brain (test/support/fake-model/brain.ts). */
export function fakeModelInputs(): ConformanceProfile['inputs'] {
  return {
    simple: 'hello there',
    expectedReply: (input) => `Fake model reply to: ${input}`,
    tool: '[[tool]] run a command for me',
    toolOutput: TOOL_MARKER,
    hang: '[[hang]]',
    crash: '[[crash]]',
    error: '[[error]]',
    remember: (word) => `Please remember the word ${word}.`,
    recall: 'What word did I ask you to remember?',
  };
}

export function fakeModelHooks(fake: () => FakeModelServer): Pick<ConformanceProfile, 'waitUntilWorking' | 'waitUntilStopped'> {
  return {
    // the CLI has sent its model request and the model is "thinking"
    waitUntilWorking: () => fake().waitForHang(),
    // the CLI is gone: its model connection closed
    waitUntilStopped: () => fake().waitForNoHang(),
  };
}
