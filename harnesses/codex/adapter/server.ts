/**
 * The Codex harness: protocol v1 (harnesses/protocol/server.ts) around `codex exec --json`.
 * Started by the image (bundled to /opt/paddock/adapter/server.mjs) and by dev mode's local
 * driver (`node --import tsx adapter/server.ts`). Settings: adapter/codex-config.ts.
 */
import { mkdirSync } from 'node:fs';
import { SessionStore } from '../../cli-adapter/session-store.ts';
import { AdapterConfigError } from '../../cli-adapter/sandbox-paths.ts';
import { startHarnessFromEnv } from '../../protocol/server.ts';
import { codexAdapterConfig } from './codex-config.ts';
import { codexTurnHandler } from './codex-turn.ts';

try {
  const config = codexAdapterConfig(process.env);
  mkdirSync(config.codexHome, { recursive: true, mode: 0o700 });
  if (!config.provider) process.stderr.write('[codex] OPENAI_BASE_URL is not set: codex will call its default API endpoint\n');
  await startHarnessFromEnv({ harness: 'codex', handleTurn: codexTurnHandler(config, new SessionStore(config.paths.stateDir)) });
} catch (error) {
  if (!(error instanceof AdapterConfigError)) throw error;
  process.stderr.write(`[codex] cannot start: ${error.message}\n`);
  process.exit(78); // EX_CONFIG
}
