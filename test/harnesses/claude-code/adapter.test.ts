/** The claude-code adapter's CLI-specific behaviour, with the real Claude Code CLI and the fake model. */
import { join } from 'node:path';
import { describe } from 'vitest';
import { installedCli, missingCliTest } from '../support/cli-sandbox.ts';
import { describeCliAdapter } from '../support/cli-adapter-suite.ts';

const cli = installedCli('claude-code', 'claude', process.env.PADDOCK_CLAUDE_BIN);

if ('missing' in cli) {
  describe('claude-code adapter', () => missingCliTest(cli.missing));
} else {
  describeCliAdapter({
    harness: 'claude-code',
    cli,
    env: (fake, apiKey, { home, workspace }) => ({ PATH: process.env.PATH, HOME: home, PADDOCK_WORKSPACE: workspace, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: apiKey, PADDOCK_CLAUDE_BIN: cli.path }),
    cliStateDir: (home) => join(home, '.claude', 'projects'),
    gatewayVar: 'ANTHROPIC_BASE_URL',
  });
}
