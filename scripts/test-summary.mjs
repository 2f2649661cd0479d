#!/usr/bin/env node
// Prints the plain closing line CI reads ("N passed, N failed[, N skipped]") from vitest's JSON
// report, and exits non-zero when anything failed. In CI (CI set, and not "false" or "0") a skipped
// or todo test is a failure too: CI installs everything every suite needs, so a skip there means a
// suite silently did not run. The line is then "N passed, N failed", skips counted as failures and
// named on stderr.
import { existsSync, readFileSync } from 'node:fs';

const path = process.argv[2] ?? '.paddock/test-results.json';
const ciValue = process.env.CI?.trim().toLowerCase();
const inCi = ciValue !== undefined && ciValue !== '' && ciValue !== 'false' && ciValue !== '0';
if (!existsSync(path)) {
  console.log('0 passed, 1 failed');
  console.error(`test-summary: ${path} was not written (the test run did not finish)`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
const passed = report.numPassedTests ?? 0;
// a test file that fails to load has no tests but is a failure
const failedSuites = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
// vitest fails a run with an unhandled error (thrown outside any test) though every test passed:
// .ci/run passes the run's exit status, and such a run counts as one failure
const runStatus = Number(process.env.PADDOCK_TEST_STATUS ?? '0');
const countedFailures = (report.numFailedTests ?? 0) + failedSuites;
const runError = countedFailures === 0 && runStatus !== 0 ? 1 : 0;
if (runError) console.error(`test-summary: the test run exited with status ${runStatus} though no test failed (an unhandled error: see "Unhandled Errors" in its output); counted as 1 failed`);
const failed = countedFailures + runError;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (inCi) {
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
        console.error(`test-summary: skipped in CI, counted as failed: ${file.name}: ${test.fullName ?? test.title}`);
      }
    }
  }
  console.log(`${passed} passed, ${failed + skipped} failed`);
} else {
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
}
process.exit(failed > 0 || (inCi && skipped > 0) ? 1 : 0);
