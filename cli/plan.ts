/**
 * `paddock plan --stack NAME`: an offline preview of what `pulumi up` would create, for pull
 * request review and for anyone without cloud credentials. It validates the stack exactly as
 * the Pulumi program does (exit 1 with every problem otherwise), then runs the program itself
 * under Pulumi's mocks and prints the resources by parent, counts per type, the outputs and
 * the Secrets — values of secrets never, they print as [secret].
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.ts';
import { listStackFiles, readStackFile, stackNameOf } from '../config/stack-file.ts';
import { ProgramInputError } from '../infra/inputs/program-inputs.ts';
import { runOfflinePlan } from '../infra/plan/offline-plan.ts';
import { engineConfig, planConfigFromStackFile, withGvisorChecksumPlaceholders, withMissingGatewaySecretPlaceholders, withMissingSecretPlaceholders } from '../infra/plan/plan-config.ts';
import { formatPlanReport } from '../infra/plan/plan-report.ts';
import { loadProgramInputs } from '../infra/program.ts';
import { today, type CliIo } from './io.ts';

export const PLAN_USAGE = `Usage: paddock plan --stack NAME [--stacks-dir DIR] [--env-file PATH] [--show-inputs]

Offline, mock-based plan of \`pulumi up -s NAME\`: validates stacks/Pulumi.NAME.yaml like the
Pulumi program does, runs the program under Pulumi's mocks (no cloud, cluster or backend) and
prints every resource it would register, by parent, with counts per type. Not a diff against
what is deployed: use \`pulumi preview\` for that.

  --stack NAME        the stack to plan (required)
  --stacks-dir DIR    where the stack files are (default: stacks)
  --env-file PATH     .env file with CONTAINER_ENV_* variables (default: paddock:envFile, else .env)
  --show-inputs       print each resource's inputs too (secrets as [secret])`;

export async function runPlan(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        stack: { type: 'string' },
        'stacks-dir': { type: 'string', default: 'stacks' },
        'env-file': { type: 'string' },
        'show-inputs': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    io.stderr(`paddock plan: ${(error as Error).message}\n\n${PLAN_USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    io.stdout(`${PLAN_USAGE}\n`);
    return 0;
  }
  const stacksDir = resolve(io.cwd, args.values['stacks-dir']);
  const known = existsSync(stacksDir) ? listStackFiles(stacksDir).map((f) => stackNameOf(f)) : [];
  const stack = args.values.stack;
  if (!stack) {
    io.stderr(`paddock plan: --stack is required (stacks: ${known.join(', ') || 'none found'})\n\n${PLAN_USAGE}\n`);
    return 2;
  }
  const path = join(stacksDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(path)) {
    io.stderr(`paddock plan: no stack "${stack}": ${io.relative(path)} does not exist (stacks: ${known.join(', ') || 'none found'})\n`);
    return 1;
  }

  const stackFile = io.relative(path);
  // Versions are checked against config/versions/ on the day the plan runs (warnings on stderr, refusals exit 1).
  const day = today(io);
  let inputs;
  let base;
  try {
    const file = readStackFile(path);
    const envFile = args.values['env-file'];
    base = planConfigFromStackFile(file.config, envFile === undefined ? {} : { 'paddock:envFile': resolve(io.cwd, envFile) });
    inputs = loadProgramInputs(stack, base.config, { stackFile, missingTeamSecrets: 'report', today: day });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ProgramInputError) {
      io.stderr(`${error.message}\n\npaddock plan: invalid configuration; nothing planned.\n`);
      return 1;
    }
    throw error;
  }

  if (inputs.versionWarnings.length > 0) io.stderr(`${inputs.versionWarnings.map((line) => `warning: ${line}`).join('\n')}\n`);
  const config = withGvisorChecksumPlaceholders(withMissingGatewaySecretPlaceholders(withMissingSecretPlaceholders(base, inputs.missingTeamSecrets), inputs.missingGatewaySecrets), inputs.unverifiedGvisorRelease);
  const plan = await runOfflinePlan({ stack, config: engineConfig(config.config), secretKeys: config.secretKeys, region: inputs.spec.platform.eks?.region ?? 'mock-region-1', today: day });
  io.stdout(
    formatPlanReport(plan, {
      spec: inputs.spec,
      stackFile,
      envFile: isAbsolute(inputs.envFile) ? io.relative(inputs.envFile) : inputs.envFile,
      containerEnvNames: Object.keys(inputs.containerEnv),
      missingTeamSecrets: inputs.missingTeamSecrets,
      missingGatewaySecrets: inputs.missingGatewaySecrets,
      encryptedValues: base.encryptedValues,
      showInputs: args.values['show-inputs'],
      today: day,
      ...(inputs.unverifiedGvisorRelease ? { unverifiedGvisorRelease: inputs.unverifiedGvisorRelease } : {}),
    }),
  );
  return 0;
}
