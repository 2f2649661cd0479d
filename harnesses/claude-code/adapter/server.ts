/**
 * The Claude Code harness: protocol v1 (harnesses/protocol/server.ts) around `claude --print`.
 * Started by the image (bundled to /opt/paddock/adapter/server.mjs) and by dev mode's local
 * driver (`node --import tsx adapter/server.ts`). Settings: adapter/claude-config.ts.
 */
import { SessionStore } from '../../cli-adapter/session-store.ts';
import { AdapterConfigError } from '../../cli-adapter/sandbox-paths.ts';
import { startHarnessFromEnv } from '../../protocol/server.ts';
import { claudeAdapterConfig } from './claude-config.ts';
import { claudeTurnHandler } from './claude-turn.ts';

try {
  const config = claudeAdapterConfig(process.env);
  if (!config.gatewayUrl) process.stderr.write('[claude-code] ANTHROPIC_BASE_URL is not set: claude will call its default API endpoint\n');
  await startHarnessFromEnv({ harness: 'claude-code', handleTurn: claudeTurnHandler(config, new SessionStore(config.paths.stateDir)) });
} catch (error) {
  if (!(error instanceof AdapterConfigError)) throw error;
  process.stderr.write(`[claude-code] cannot start: ${error.message}\n`);
  process.exit(78); // EX_CONFIG
}
