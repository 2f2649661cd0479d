/**
 * Reading `stacks/Pulumi.<stack>.yaml` (I/O edge). Only the `paddock:` namespace is ours;
 * other namespaces (aws:, kubernetes:, ...) and Pulumi's own keys are passed over.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from './errors.ts';
import type { HarnessRegistry } from './harness-definition.ts';
import type { PlatformSpec } from './platform-spec.ts';
import { validatePlatformConfig } from './validate.ts';
import { yamlErrorPosition } from './yaml-error-position.ts';

const STACK_FILE = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/;
const PROJECT = 'paddock';
/** Keys of other namespaces that Paddock reads only to check them against its own (aws:region vs eks.region). */
export const CHECKED_PROVIDER_KEYS: readonly string[] = ['aws:region'];
const PULUMI_TOP_LEVEL_KEYS = new Set(['config', 'encryptionsalt', 'secretsprovider', 'encryptedkey', 'environment']);

export interface StackFile {
  readonly stack: string;
  readonly path: string;
  /** the `paddock:*` keys, with bare keys (no namespace) read as `paddock:` as Pulumi does, and CHECKED_PROVIDER_KEYS */
  readonly config: Record<string, unknown>;
}

export function stackNameOf(path: string): string | undefined {
  return STACK_FILE.exec(basename(path))?.[1];
}

/** Stack files in a directory, sorted by stack name. */
export function listStackFiles(stacksDir: string): string[] {
  return readdirSync(stacksDir)
    .filter((name) => STACK_FILE.test(name))
    .sort()
    .map((name) => join(stacksDir, name));
}

export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}

/** Parses YAML text of a stack file. `file` is the name errors carry. */
export function parseStackFile(text: string, file: string, stack: string): StackFile {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const at = yamlErrorPosition(text, doc, e);
        return { path: [], message: `YAML line ${at.line}, column ${at.col}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` };
      }),
    );
  }
  const root: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const problems: ConfigProblem[] = [];
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw new ConfigError(file, [{ path: [], message: 'a stack file is a mapping with a "config" key' }]);
  for (const key of Object.keys(root)) {
    if (!PULUMI_TOP_LEVEL_KEYS.has(key)) problems.push({ path: [key], message: `unknown top-level key (a Pulumi stack file has ${[...PULUMI_TOP_LEVEL_KEYS].join(', ')})` });
  }
  const configNode: unknown = (root as Record<string, unknown>).config ?? {};
  if (typeof configNode !== 'object' || configNode === null || Array.isArray(configNode)) problems.push({ path: ['config'], message: 'expected a mapping' });
  if (problems.length > 0) throw new ConfigError(file, problems);

  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(configNode as Record<string, unknown>)) {
    const namespaced = key.includes(':') ? key : `${PROJECT}:${key}`;
    if (namespaced.startsWith(`${PROJECT}:`) || CHECKED_PROVIDER_KEYS.includes(namespaced)) config[namespaced] = value;
  }
  return { stack, path: file, config };
}

export function readStackFile(path: string): StackFile {
  const stack = stackNameOf(path);
  const file = displayPath(path);
  if (!stack) throw new ConfigError(file, [{ path: [], message: 'a stack file must be named Pulumi.<stack>.yaml' }]);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: [], message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }]);
  }
  return parseStackFile(text, file, stack);
}

export function loadPlatformSpec(path: string, registry: HarnessRegistry): PlatformSpec {
  const file = readStackFile(path);
  return validatePlatformConfig(file.config, { file: file.path, stack: file.stack, registry });
}
