/**
 * The conformance suite against the codex harness driving the real Codex CLI (the
 * pinned version from harnesses/codex/package.json), whose model is the fake OpenAI
 * Responses API on loopback (a custom model provider, as in a sandbox). The model name is one
 * Codex has no metadata for, so it offers its classic function tools (exec_command) rather than
 * its code-mode tool, which the fake model drives. Skipped, saying why, when the CLI is not installed (failing in CI).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeConformance } from '../../harnesses/conformance/suite.ts';
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model/server.ts';
import { fakeModelHooks, fakeModelInputs, installedCli, missingCliTest, SandboxDirs } from './support/cli-sandbox.ts';

const cli = installedCli('codex', 'codex', process.env.PADDOCK_CODEX_BIN);

if ('missing' in cli) {
  describe('harness conformance: codex', () => {
    missingCliTest(cli.missing);
  });
} else {
  const apiKey = `sk-test-${randomBytes(12).toString('hex')}`;
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
    harness: 'codex',
    sandboxEnv: () => {
      const { home, workspace } = dirs.create('codex');
      return {
        PATH: process.env.PATH,
        HOME: home,
        PADDOCK_WORKSPACE: workspace,
        OPENAI_BASE_URL: `${fake.url}/v1`,
        OPENAI_API_KEY: apiKey,
        PADDOCK_CODEX_BIN: cli.path,
        PADDOCK_CODEX_MODEL: 'paddock-fake',
        PADDOCK_CODEX_MAX_RETRIES: '0',
      };
    },
    inputs: fakeModelInputs(),
    crash: 'reported',
    // codex exec reports each agent message whole
    minDeltas: 1,
    turnDeadlineMs: 45_000,
    ...fakeModelHooks(() => fake),
  });
}
