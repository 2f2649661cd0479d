/**
 * Loads the harness registry from `harnesses/<name>/harness.yaml` (I/O edge). Each folder is
 * one harness; its definition is validated with the same error format as stack files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigError, problemsFromZod, type ConfigProblem } from '../config/errors.ts';
import { createHarnessRegistry, harnessDefinitionSchema, type HarnessDefinition, type HarnessRegistry } from '../config/harness-definition.ts';
import { displayPath } from '../config/stack-file.ts';
import { compareText } from '../config/compare.ts';

export const HARNESSES_DIR = dirname(fileURLToPath(import.meta.url));
export const DEFINITION_FILE = 'harness.yaml';

export function parseHarnessDefinition(text: string, file: string, folderName: string): HarnessDefinition {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(file, [{ path: [], message: `YAML: ${(error as Error).message.split('\n')[0]}` }]);
  }
  const parsed = harnessDefinitionSchema.safeParse(raw);
  const problems: ConfigProblem[] = parsed.success ? [] : problemsFromZod(parsed.error.issues, [], () => Object.keys(harnessDefinitionSchema.shape));
  if (parsed.success && parsed.data.name !== folderName) problems.push({ path: ['name'], message: `"${parsed.data.name}" must equal its folder name "${folderName}"` });
  if (parsed.success) problems.push(...modelEnvProblems(parsed.data));
  if (!parsed.success || problems.length > 0) throw new ConfigError(file, problems);
  return parsed.data;
}

/** Each model variable gets the model name once: never twice, never also the gateway URL or key. */
function modelEnvProblems(definition: HarnessDefinition): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const urlEnv = definition.modelGatewayEnv.map((e) => e.name);
  definition.modelEnv.forEach((name, i) => {
    if (definition.modelEnv.indexOf(name) !== i) problems.push({ path: ['modelEnv', i], message: `"${name}" is listed twice` });
    else if (urlEnv.includes(name)) problems.push({ path: ['modelEnv', i], message: `"${name}" already receives the model gateway URL (modelGatewayEnv)` });
    else if (definition.modelGatewayKeyEnv.includes(name)) problems.push({ path: ['modelEnv', i], message: `"${name}" already receives the team's gateway key (modelGatewayKeyEnv)` });
  });
  return problems;
}

export function loadHarnessRegistry(dir = HARNESSES_DIR): HarnessRegistry {
  const definitions: HarnessDefinition[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => compareText(a.name, b.name))) {
    const path = join(dir, entry.name, DEFINITION_FILE);
    if (!existsSync(path)) continue;
    definitions.push(parseHarnessDefinition(readFileSync(path, 'utf8'), displayPath(path), entry.name));
  }
  return createHarnessRegistry(definitions);
}

/** The folder of a harness, for adapters and local (dev mode) commands. */
export function harnessDir(name: string, dir = HARNESSES_DIR): string {
  return join(dir, name);
}
