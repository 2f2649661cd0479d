import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'harnesses/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // a test that checks nothing fails (a loop over nothing, a forgotten await on expect)
    expect: { requireAssertions: true },
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: '.paddock/test-results.json' },
  },
});
