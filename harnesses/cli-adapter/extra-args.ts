/** Operator-supplied extra CLI flags (PADDOCK_<CLI>_EXTRA_ARGS): a JSON array of strings. */
import { AdapterConfigError } from './sandbox-paths.ts';

export function parseExtraArgs(text: string | undefined, variable: string): string[] {
  if (text === undefined || text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AdapterConfigError(`${variable} must be a JSON array of strings, e.g. ["--max-turns","50"]`);
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new AdapterConfigError(`${variable} must be a JSON array of strings`);
  return parsed as string[];
}
