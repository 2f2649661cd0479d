/**
 * The conformance suite against the claude-code harness driving the real Claude Code CLI (the
 * pinned version from harnesses/claude-code/package.json), whose model is the fake Anthropic
 * Messages API on loopback. Skipped, saying why, when the CLI is not installed (failing in CI).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeConformance } from '../../harnesses/conformance/suite.ts';
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model/server.ts';
import { fakeModelHooks, fakeModelInputs, installedCli, missingCliTest, SandboxDirs } from './support/cli-sandbox.ts';

const cli = installedCli('claude-code', 'claude', process.env.PADDOCK_CLAUDE_BIN);

if ('missing' in cli) {
  describe('harness conformance: claude-code', () => {
    missingCliTest(cli.missing);
  });
} else {
  const apiKey = `sk-ant-test-${randomBytes(12).toString('hex')}`;
  const dirs = new SandboxDirs();
  let fake: FakeModelServer;
  beforeAll(async () => {
    fake = await startFakeModelServer({ apiKey });
  });
  afterAll(async () => {
    await fake.close();
    dirs.cleanup();
  });

  describeConformance({
    harness: 'claude-code',
    sandboxEnv: () => {
      const { home, workspace } = dirs.create('claude-code');
      return { PATH: process.env.PATH, HOME: home, PADDOCK_WORKSPACE: workspace, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: apiKey, PADDOCK_CLAUDE_BIN: cli.path };
    },
    inputs: fakeModelInputs(),
    crash: 'reported',
    minDeltas: 3,
    turnDeadlineMs: 45_000,
    ...fakeModelHooks(() => fake),
  });
}
