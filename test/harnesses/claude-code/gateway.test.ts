/** The claude-code adapter with the real Claude Code CLI, through the fake LiteLLM gateway with a team key. */
import { describe } from 'vitest';
import { installedCli, missingCliTest } from '../support/cli-sandbox.ts';
import { describeGatewayPath } from '../support/gateway-suite.ts';

const cli = installedCli('claude-code', 'claude', process.env.PADDOCK_CLAUDE_BIN);

if ('missing' in cli) {
  describe('claude-code adapter through the gateway', () => missingCliTest(cli.missing));
} else {
  describeGatewayPath({
    harness: 'claude-code',
    cli,
    env: (gatewayUrl, key, model, { home, workspace }) => ({ PATH: process.env.PATH, HOME: home, PADDOCK_WORKSPACE: workspace, ANTHROPIC_BASE_URL: gatewayUrl, ANTHROPIC_API_KEY: key, PADDOCK_CLAUDE_BIN: cli.path, PADDOCK_CLAUDE_MODEL: model }),
    noRetryEnv: { CLAUDE_CODE_MAX_RETRIES: '0' },
  });
}
