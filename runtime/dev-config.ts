/** Dev mode's view of a stack (pure): every team may also use the scripted harness. */
import type { HarnessRegistry } from '../config/harness-definition.ts';
import { warmPoolName } from '../config/names.ts';
import type { RuntimeConfig } from '../config/runtime-config.ts';

export const DEV_HARNESS = 'scripted';

export function withScriptedHarness(config: RuntimeConfig, registry: HarnessRegistry): RuntimeConfig {
  const scripted = registry.get(DEV_HARNESS);
  if (!scripted) throw new Error(`dev mode needs the "${DEV_HARNESS}" harness (harnesses/${DEV_HARNESS}/harness.yaml)`);
  return {
    ...config,
    teams: config.teams.map((team) =>
      team.harnesses.some((h) => h.name === DEV_HARNESS)
        ? team
        : {
            ...team,
            harnesses: [...team.harnesses, { name: DEV_HARNESS, warmPool: warmPoolName(DEV_HARNESS), port: scripted.port, modelGatewayEnv: scripted.modelGatewayEnv.map((e) => ({ name: e.name, path: e.path })) }],
          },
    ),
  };
}
