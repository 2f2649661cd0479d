/**
 * The Pulumi program: read the stack's config, check every input (the same schema and
 * messages as `paddock synth`, plus the .env file and the team secrets), then build the
 * platform. Config problems stop the run before any resource is registered, with one line per
 * problem naming the file and the key (or .env line) — never a value.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { ConfigError } from '../config/errors.ts';
import { readDotenvFile } from '../config/dotenv.ts';
import { loadHarnessRegistry } from '../harnesses/registry.ts';
import { ProgramInputError, resolveProgramInputs, type ProgramInputs, type ProgramSources } from './inputs/program-inputs.ts';
import { gatewaySecretsOutput, readPaddockConfig, teamSecretsOutput } from './inputs/pulumi-config.ts';
import { PaddockPlatform } from './platform.ts';

/** The project root (where Pulumi.yaml is): relative paths in config, such as the .env file, start here. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function loadProgramInputs(stack: string, config: Readonly<Record<string, unknown>>, options: Partial<Pick<ProgramSources, 'stackFile' | 'missingTeamSecrets' | 'today'>> = {}): ProgramInputs {
  return resolveProgramInputs({
    today: new Date(),
    ...options,
    stack,
    config,
    registry: loadHarnessRegistry(),
    readEnvFile: (path, required) => readDotenvFile(resolve(PROJECT_ROOT, path), path, { required }),
  });
}

export interface ProgramOptions {
  /** the clock the versions are checked with (`paddock plan` and the tests pass theirs) */
  readonly now?: () => Date;
  /** where version warnings go (default: Pulumi's log); `paddock plan` prints them itself */
  readonly warn?: (line: string) => void;
}

export async function paddockProgram(options: ProgramOptions = {}): Promise<Record<string, pulumi.Input<unknown>>> {
  let inputs: ProgramInputs;
  try {
    inputs = loadProgramInputs(pulumi.getStack(), readPaddockConfig(), { today: (options.now ?? (() => new Date()))() });
  } catch (error) {
    // RunError: Pulumi prints the message alone, without a stack trace
    if (error instanceof ProgramInputError) throw new pulumi.RunError(`invalid Paddock configuration; nothing was changed:\n${error.lines.join('\n')}`);
    if (error instanceof ConfigError) throw new pulumi.RunError(`invalid harness definition; nothing was changed:\n${error.lines.join('\n')}`);
    throw error;
  }
  const warn = options.warn ?? ((line: string) => void pulumi.log.warn(line));
  for (const line of inputs.versionWarnings) warn(line);
  const platform = new PaddockPlatform('paddock', { inputs, teamSecrets: teamSecretsOutput, gatewaySecrets: gatewaySecretsOutput });
  return platform.stackOutputs;
}
