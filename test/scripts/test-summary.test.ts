/**
 * The closing line of CI and what counts as a failure there: a real vitest run of a CLI-driven
 * harness suite whose CLI is missing (PADDOCK_CODEX_BIN points nowhere) skips, saying why, on a
 * developer's machine and fails in CI (CI=true), and scripts/test-summary.mjs turns a skip into a
 * failure in CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'paddock-test-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without this vitest's own variables, so the child is a run of its own. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('VITEST') && key !== 'CI' && key !== 'NODE_ENV') env[key] = value;
  return { ...env, ...extra };
}

function summarize(report: string, ci: boolean, runStatus?: number): { status: number | null; line: string; stderr: string } {
  const extra: Record<string, string> = { ...(ci ? { CI: 'true' } : {}), ...(runStatus === undefined ? {} : { PADDOCK_TEST_STATUS: String(runStatus) }) };
  const result = spawnSync(process.execPath, [join(repo, 'scripts', 'test-summary.mjs'), report], { encoding: 'utf8', env: cleanEnv(extra) });
  return { status: result.status, line: result.stdout.trim(), stderr: result.stderr };
}

function report(name: string, counts: { passed: number; failed: number; pending: number }): string {
  const path = join(dir, `${name}.json`);
  const tests = [
    ...Array.from({ length: counts.passed }, (_, i) => ({ status: 'passed', fullName: `passes ${i}` })),
    ...Array.from({ length: counts.failed }, (_, i) => ({ status: 'failed', fullName: `fails ${i}` })),
    ...Array.from({ length: counts.pending }, (_, i) => ({ status: 'pending', fullName: `skips ${i}` })),
  ];
  writeFileSync(path, JSON.stringify({ numPassedTests: counts.passed, numFailedTests: counts.failed, numPendingTests: counts.pending, numTodoTests: 0, testResults: [{ name: '/x.test.ts', status: counts.failed ? 'failed' : 'passed', assertionResults: tests }] }));
  return path;
}

describe('test-summary.mjs', () => {
  it('reports skips as skips outside CI and exits 0 when nothing failed', () => {
    expect(summarize(report('local', { passed: 3, failed: 0, pending: 2 }), false)).toMatchObject({ status: 0, line: '3 passed, 0 failed, 2 skipped' });
  });

  it('counts skips as failures in CI, naming them, and exits 1', () => {
    const result = summarize(report('ci', { passed: 3, failed: 0, pending: 2 }), true);
    expect(result).toMatchObject({ status: 1, line: '3 passed, 2 failed' });
    expect(result.stderr).toContain('skipped in CI, counted as failed: /x.test.ts: skips 0');
  });

  it('counts a run that failed with every test passed (an unhandled error) as one failure', () => {
    const result = summarize(report('unhandled', { passed: 3, failed: 0, pending: 0 }), true, 1);
    expect(result).toMatchObject({ status: 1, line: '3 passed, 1 failed' });
    expect(result.stderr).toContain('exited with status 1 though no test failed');
    expect(summarize(report('clean', { passed: 3, failed: 0, pending: 0 }), true, 0)).toMatchObject({ status: 0, line: '3 passed, 0 failed' });
  });

  it('exits 1 on a failure outside CI too', () => {
    expect(summarize(report('failed', { passed: 1, failed: 1, pending: 0 }), false)).toMatchObject({ status: 1, line: '1 passed, 1 failed' });
  });

  it.each([
    [false, { status: 0, line: '0 passed, 0 failed, 1 skipped' }],
    [true, { status: 1, line: '0 passed, 1 failed' }],
  ])('a harness suite whose CLI is missing, CI=%s', (ci, expected) => {
    const out = join(dir, `missing-cli-${ci}.json`);
    const run = spawnSync(process.execPath, [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/harnesses/codex/adapter.test.ts', '--reporter=json', `--outputFile.json=${out}`], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 120_000,
      env: cleanEnv({ PADDOCK_CODEX_BIN: join(dir, 'no-such-codex'), ...(ci ? { CI: 'true' } : {}) }),
    });
    expect(run.status).toBe(ci ? 1 : 0);
    const testNames = (JSON.parse(readFileSync(out, 'utf8')) as { testResults: { assertionResults: { title: string }[] }[] }).testResults.flatMap((r) => r.assertionResults.map((a) => a.title));
    expect(testNames).toEqual([expect.stringContaining('the codex CLI is not installed (ENOENT')]);
    expect(summarize(out, ci)).toMatchObject(expected);
  });
});
