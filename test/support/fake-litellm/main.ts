/**
 * The fake LiteLLM as its own process (process.ts starts it): configured by environment,
 * prints {"listening":{"port"}} when ready, exits on SIGTERM.
 *   FAKE_LITELLM_MASTER_KEY  the master key (required)
 *   FAKE_LITELLM_MODELS      comma-separated model names served (required)
 *   FAKE_LITELLM_STATE_FILE  teams, keys and spend kept across restarts
 *   FAKE_LITELLM_PORT        port (default: any free one)
 *   FAKE_LITELLM_COST_PER_CALL  USD per successful call (default 0.01)
 */
import { startFakeLiteLLM } from './server.ts';

const env = process.env;
if (!env.FAKE_LITELLM_MASTER_KEY || !env.FAKE_LITELLM_MODELS) {
  process.stderr.write('FAKE_LITELLM_MASTER_KEY and FAKE_LITELLM_MODELS are required\n');
  process.exit(2);
}
const fake = await startFakeLiteLLM({
  masterKey: env.FAKE_LITELLM_MASTER_KEY,
  models: env.FAKE_LITELLM_MODELS.split(',').filter(Boolean),
  ...(env.FAKE_LITELLM_STATE_FILE ? { stateFile: env.FAKE_LITELLM_STATE_FILE } : {}),
  ...(env.FAKE_LITELLM_PORT ? { port: Number(env.FAKE_LITELLM_PORT) } : {}),
  ...(env.FAKE_LITELLM_COST_PER_CALL ? { costPerCall: Number(env.FAKE_LITELLM_COST_PER_CALL) } : {}),
});
process.stdout.write(`${JSON.stringify({ listening: { port: fake.port } })}\n`);
process.once('SIGTERM', () => void fake.close().then(() => process.exit(0)));
