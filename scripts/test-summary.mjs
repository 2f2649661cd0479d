#!/usr/bin/env node
// Prints the plain closing line CI reads ("N passed, N failed[, N skipped]") from vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';

const path = process.argv[2] ?? '.paddock/test-results.json';
if (!existsSync(path)) {
  console.log('0 passed, 1 failed');
  console.error(`test-summary: ${path} was not written (the test run did not finish)`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
const passed = report.numPassedTests ?? 0;
// a test file that fails to load has no tests but is a failure
const failedSuites = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
const failed = (report.numFailedTests ?? 0) + failedSuites;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
