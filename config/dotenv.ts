/**
 * `.env` files: a pure parser and a thin reader. Values can be secrets, so no message ever
 * quotes a value or a whole line: problems name the file, the line and at most the key.
 *
 * Format (the common dotenv dialect, without variable expansion):
 * - blank lines and lines whose first non-blank character is `#` are ignored
 * - `KEY=value`, optionally prefixed by `export `; spaces around `=` are allowed
 * - KEY: letters, digits and `_`, not starting with a digit
 * - unquoted value: trimmed; ` #` (blank then `#`) starts a comment; `#` inside a word is kept
 * - 'single quotes': taken literally, may span lines
 * - "double quotes": may span lines; escapes \n \r \t \" \\ \$ (any other `\x` is kept as is)
 * - after a closing quote only blanks and a `# comment` may follow
 * - `${VAR}` is never expanded: what you write is what the sandbox gets
 * - a key set twice, or a line that is none of the above, is an error naming the line
 */
import { readFileSync } from 'node:fs';

export interface DotenvVariable {
  readonly key: string;
  readonly value: string;
  /** 1-based line where the assignment starts */
  readonly line: number;
}

export interface DotenvProblem {
  /** absent for problems with the file as a whole */
  readonly line?: number;
  readonly message: string;
}

export class DotenvError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly DotenvProblem[],
  ) {
    super(problems.map((p) => formatDotenvProblem(file, p)).join('\n'));
    this.name = 'DotenvError';
  }

  get lines(): string[] {
    return this.problems.map((p) => formatDotenvProblem(this.file, p));
  }
}

export function formatDotenvProblem(file: string, problem: DotenvProblem): string {
  return problem.line === undefined ? `${file}: ${problem.message}` : `${file}:${problem.line}: ${problem.message}`;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ASSIGNMENT = /^\s*(?:export\s+)?([^=\s]*)\s*=[ \t]*(.*)$/;
const DOUBLE_QUOTE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' };

interface QuotedValue {
  readonly value: string;
  /** index of the line holding the closing quote */
  readonly endLine: number;
  /** text after the closing quote on that line */
  readonly rest: string;
}

/** Reads a quoted value starting just after the opening quote; undefined when it never closes. */
function readQuoted(lines: readonly string[], startLine: number, firstText: string, quote: "'" | '"'): QuotedValue | undefined {
  let value = '';
  let text = firstText;
  for (let lineIndex = startLine; lineIndex < lines.length; lineIndex++) {
    if (lineIndex > startLine) {
      text = lines[lineIndex]!;
      value += '\n';
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === quote) return { value, endLine: lineIndex, rest: text.slice(i + 1) };
      if (quote === '"' && ch === '\\' && i + 1 < text.length) {
        const next = text[i + 1]!;
        value += DOUBLE_QUOTE_ESCAPES[next] ?? `\\${next}`;
        i++;
        continue;
      }
      value += ch;
    }
  }
  return undefined;
}

function unquotedValue(text: string): string {
  const comment = /\s#/.exec(text);
  return (comment ? text.slice(0, comment.index) : text).trim();
}

/** Parses `.env` text. Throws DotenvError listing every problem; `file` is the name messages carry. */
export function parseDotenv(text: string, file: string): DotenvVariable[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const variables: DotenvVariable[] = [];
  const problems: DotenvProblem[] = [];
  const firstLine = new Map<string, number>();

  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const lineNumber = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;

    const match = ASSIGNMENT.exec(raw);
    if (!match) {
      problems.push({ line: lineNumber, message: 'expected KEY=VALUE (or a # comment)' });
      continue;
    }
    const key = match[1]!;
    if (!KEY.test(key)) {
      problems.push({ line: lineNumber, message: key === '' ? 'missing key before "="' : `"${key}" is not a valid key (letters, digits and "_", not starting with a digit)` });
      continue;
    }

    const valueText = match[2]!;
    let value: string;
    const opening = valueText[0];
    if (opening === '"' || opening === "'") {
      const quoted = readQuoted(lines, index, valueText.slice(1), opening);
      if (!quoted) {
        problems.push({ line: lineNumber, message: `the value of "${key}" opens a ${opening === '"' ? 'double' : 'single'} quote that is never closed` });
        break; // everything after an unclosed quote is part of it: nothing more to parse
      }
      const rest = quoted.rest.trim();
      if (rest !== '' && !rest.startsWith('#')) {
        problems.push({ line: quoted.endLine + 1, message: `unexpected text after the closing quote of "${key}"` });
        index = quoted.endLine;
        continue;
      }
      value = quoted.value;
      index = quoted.endLine;
    } else {
      value = unquotedValue(valueText);
    }

    const previous = firstLine.get(key);
    if (previous !== undefined) {
      problems.push({ line: lineNumber, message: `duplicate key "${key}" (first set on line ${previous})` });
      continue;
    }
    firstLine.set(key, lineNumber);
    variables.push({ key, value, line: lineNumber });
  }

  if (problems.length > 0) throw new DotenvError(file, problems);
  return variables;
}

/**
 * Reads and parses a `.env` file. A missing file is no variables unless `required` (an
 * explicitly configured path that does not exist is a mistake worth reporting).
 */
export function readDotenvFile(path: string, file: string, options: { readonly required?: boolean } = {}): DotenvVariable[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !options.required) return [];
    throw new DotenvError(file, [{ message: code === 'ENOENT' ? 'file does not exist' : `cannot read: ${code ?? String(error)}` }]);
  }
  return parseDotenv(text, file);
}
