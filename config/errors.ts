/**
 * Config problems as people read them: `<file>: <path>: <problem>`, every problem at once.
 */
import type { z } from 'zod';
import { quoted } from './primitives.ts';
import { compareText } from './compare.ts';

export interface ConfigProblem {
  /** e.g. ["paddock:teams", 2, "name"] */
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
  }

  /** One line per problem, in a stable order. */
  get lines(): string[] {
    return this.problems.map((p) => formatProblem(this.file, p));
  }
}

/** ["paddock:teams", 2, "name"] -> "paddock:teams[2].name" */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (out === '') out = String(segment);
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(segment))) out += `.${String(segment)}`;
    else out += `[${quoted(String(segment))}]`;
  }
  return out || '(top level)';
}

export function formatProblem(file: string, problem: ConfigProblem): string {
  return `${file}: ${formatPath(problem.path)}: ${problem.message}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${quoted(value)}`;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** "did you mean" for a mistyped key, when one known key is close enough. */
export function suggest(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = levenshtein(key.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

type Issue = z.core.$ZodIssue;

/** Known keys of the object a path points at, for "did you mean" on unknown keys. */
export type KnownKeysLookup = (path: readonly PropertyKey[]) => readonly string[];

/** Turns zod issues into problems, with messages written for people rather than parsers. */
export function problemsFromZod(issues: readonly Issue[], prefix: readonly PropertyKey[], knownKeys: KnownKeysLookup): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const hint = suggest(key, knownKeys(issue.path));
          problems.push({ path: [...path, key], message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}` });
        }
        break;
      case 'invalid_type':
        problems.push({
          path,
          message: issue.input === undefined ? 'is required' : `expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping' : issue.expected}, got ${typeName(issue.input)}`,
        });
        break;
      case 'invalid_value':
        problems.push({ path, message: `${quoted(issue.input)} is not one of ${issue.values.map((v) => quoted(v)).join(', ')}` });
        break;
      case 'invalid_key':
        problems.push({ path, message: issue.issues[0]?.message ?? issue.message });
        break;
      case 'invalid_union':
        problems.push({ path, message: issue.message });
        break;
      case 'too_small':
        problems.push({ path, message: issue.origin === 'array' ? `needs at least ${String(issue.minimum)} item(s)` : issue.origin === 'string' ? `must not be empty` : `must be at least ${String(issue.minimum)}` });
        break;
      case 'too_big':
        problems.push({ path, message: issue.origin === 'array' ? `has more than ${String(issue.maximum)} item(s)` : `must be at most ${String(issue.maximum)}` });
        break;
      default:
        problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

/** Deterministic order: by path, then message. */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const key = (p: ConfigProblem) => formatPath(p.path).replace(/\[(\d+)\]/g, (_, n: string) => `[${n.padStart(6, '0')}]`);
  return [...problems].sort((a, b) => compareText(key(a), key(b)) || compareText(a.message, b.message));
}
