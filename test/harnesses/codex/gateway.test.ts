/** The codex adapter with the real Codex CLI, through the fake LiteLLM gateway with a team key. */
import { describe } from 'vitest';
import { installedCli, missingCliTest } from '../support/cli-sandbox.ts';
import { describeGatewayPath } from '../support/gateway-suite.ts';

const cli = installedCli('codex', 'codex', process.env.PADDOCK_CODEX_BIN);

if ('missing' in cli) {
  describe('codex adapter through the gateway', () => missingCliTest(cli.missing));
} else {
  describeGatewayPath({
    harness: 'codex',
    cli,
    env: (gatewayUrl, key, model, { home, workspace }) => ({
      PATH: process.env.PATH,
      HOME: home,
      PADDOCK_WORKSPACE: workspace,
      OPENAI_BASE_URL: `${gatewayUrl}/v1`,
      OPENAI_API_KEY: key,
      PADDOCK_CODEX_BIN: cli.path,
      PADDOCK_CODEX_MODEL: model,
      PADDOCK_CODEX_MAX_RETRIES: '0',
    }),
    noRetryEnv: { PADDOCK_CODEX_MAX_RETRIES: '0' },
  });
}
