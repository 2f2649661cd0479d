/** The codex adapter's CLI-specific behaviour, with the real Codex CLI and the fake model. */
import { join } from 'node:path';
import { describe } from 'vitest';
import { installedCli, missingCliTest } from '../support/cli-sandbox.ts';
import { describeCliAdapter } from '../support/cli-adapter-suite.ts';

const cli = installedCli('codex', 'codex', process.env.PADDOCK_CODEX_BIN);

if ('missing' in cli) {
  describe('codex adapter', () => missingCliTest(cli.missing));
} else {
  describeCliAdapter({
    harness: 'codex',
    cli,
    env: (fake, apiKey, { home, workspace }) => ({
      PATH: process.env.PATH,
      HOME: home,
      PADDOCK_WORKSPACE: workspace,
      OPENAI_BASE_URL: `${fake.url}/v1`,
      OPENAI_API_KEY: apiKey,
      PADDOCK_CODEX_BIN: cli.path,
      PADDOCK_CODEX_MODEL: 'paddock-fake',
      PADDOCK_CODEX_MAX_RETRIES: '0',
    }),
    cliStateDir: (home) => join(home, '.codex', 'sessions'),
    gatewayVar: 'OPENAI_BASE_URL',
  });
}
