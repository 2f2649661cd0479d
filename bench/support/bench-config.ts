/** The stack every runtime benchmark runs: one team, the scripted harness. */
import type { RuntimeConfig } from '../../config/runtime-config.ts';

export const BENCH_TOKEN = 'pdk_bench-team-token-000000000000000000000000';

export const BENCH_CONFIG: RuntimeConfig = {
  version: 1,
  stack: 'bench',
  environment: 'kind',
  modelGatewayUrl: 'http://127.0.0.1:9',
  turnTimeoutSeconds: 600,
  teams: [{ name: 'bench', namespace: 'team-bench', env: {}, harnesses: [{ name: 'scripted', warmPool: 'scripted', port: 8080, modelGatewayEnv: [] }] }],
};
