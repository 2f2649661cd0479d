import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DotenvError, parseDotenv, readDotenvFile } from '../../config/dotenv.ts';

const parse = (text: string) => Object.fromEntries(parseDotenv(text, '.env').map((v) => [v.key, v.value]));

function problems(text: string): string[] {
  try {
    parseDotenv(text, '.env');
  } catch (error) {
    expect(error).toBeInstanceOf(DotenvError);
    return (error as DotenvError).lines;
  }
  throw new Error('expected a DotenvError');
}

describe('parseDotenv', () => {
  it('reads plain assignments, trimming unquoted values', () => {
    expect(parse('A=1\nB = two words  \nC=\n')).toEqual({ A: '1', B: 'two words', C: '' });
  });

  it('skips blank lines and comments, including indented ones', () => {
    expect(parse('# header\n\n   # indented comment\nA=1\n\n')).toEqual({ A: '1' });
  });

  it('accepts the export prefix', () => {
    expect(parse('export A=1\nexport   B="x"')).toEqual({ A: '1', B: 'x' });
  });

  it('treats " #" as a comment in unquoted values but keeps # inside a word', () => {
    expect(parse('A=value # comment\nB=http://host/path#fragment\nC=#not-a-comment')).toEqual({ A: 'value', B: 'http://host/path#fragment', C: '#not-a-comment' });
  });

  it('takes single-quoted values literally', () => {
    expect(parse(`A='a \\n b $HOME # not a comment'`)).toEqual({ A: 'a \\n b $HOME # not a comment' });
  });

  it('expands the escapes of double-quoted values', () => {
    expect(parse('A="line1\\nline2\\ttab \\"quoted\\" back\\\\slash \\$HOME"')).toEqual({ A: 'line1\nline2\ttab "quoted" back\\slash $HOME' });
  });

  it('keeps unknown escapes in double quotes as written', () => {
    expect(parse('A="C:\\Users\\x"')).toEqual({ A: 'C:\\Users\\x' });
  });

  it('never expands ${VAR}', () => {
    expect(parse('A=1\nB=${A}\nC="${A}"')).toEqual({ A: '1', B: '${A}', C: '${A}' });
  });

  it('accepts empty quoted values and comments after a closing quote', () => {
    expect(parse(`A=""\nB=''\nC="x" # trailing comment`)).toEqual({ A: '', B: '', C: 'x' });
  });

  it('reads quoted values spanning lines, and numbers later lines correctly', () => {
    const vars = parseDotenv('KEY="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nNEXT=1', '.env');
    expect(vars).toEqual([
      { key: 'KEY', value: '-----BEGIN KEY-----\nabc\n-----END KEY-----', line: 1 },
      { key: 'NEXT', value: '1', line: 4 },
    ]);
  });

  it('handles CRLF line endings and a byte order mark', () => {
    expect(parse('\uFEFFA=1\r\nB="2"\r\n')).toEqual({ A: '1', B: '2' });
  });

  it('keeps "=" inside values', () => {
    expect(parse('A=b=c==\nB="x=y"')).toEqual({ A: 'b=c==', B: 'x=y' });
  });

  it('rejects a duplicate key, naming both lines', () => {
    expect(problems('A=1\nB=2\nA=3')).toEqual(['.env:3: duplicate key "A" (first set on line 1)']);
  });

  it('rejects malformed lines by line number, without echoing their content', () => {
    const lines = problems('A=1\nthis is not an assignment sk-live-123\n=value\n1BAD=x\nB-C=y');
    expect(lines).toEqual([
      '.env:2: expected KEY=VALUE (or a # comment)',
      '.env:3: missing key before "="',
      '.env:4: "1BAD" is not a valid key (letters, digits and "_", not starting with a digit)',
      '.env:5: "B-C" is not a valid key (letters, digits and "_", not starting with a digit)',
    ]);
    expect(lines.join('\n')).not.toContain('sk-live-123');
  });

  it('rejects an unclosed quote, naming the line it opened on', () => {
    expect(problems('A=1\nB="never closed\nC=3\nD=4')).toEqual(['.env:2: the value of "B" opens a double quote that is never closed']);
    expect(problems("B='x")).toEqual(['.env:1: the value of "B" opens a single quote that is never closed']);
  });

  it('rejects text after a closing quote, without echoing the value', () => {
    const lines = problems('A="secret-value" trailing');
    expect(lines).toEqual(['.env:1: unexpected text after the closing quote of "A"']);
    expect(lines.join('')).not.toContain('secret-value');
  });

  it('reports every problem of a file at once', () => {
    expect(problems('bad line\nA=1\nA=2\nalso bad')).toHaveLength(3);
  });
});

describe('readDotenvFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'paddock-dotenv-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and parses a file', () => {
    writeFileSync(join(dir, '.env'), 'A=1\n');
    expect(readDotenvFile(join(dir, '.env'), '.env')).toEqual([{ key: 'A', value: '1', line: 1 }]);
  });

  it('treats a missing default file as no variables', () => {
    expect(readDotenvFile(join(dir, '.env'), '.env')).toEqual([]);
  });

  it('reports a missing file that was asked for explicitly', () => {
    expect(() => readDotenvFile(join(dir, 'team.env'), 'team.env', { required: true })).toThrow('team.env: file does not exist');
  });

  it('reports a path that cannot be read', () => {
    mkdirSync(join(dir, 'a-directory'));
    expect(() => readDotenvFile(join(dir, 'a-directory'), 'a-directory')).toThrow(/a-directory: cannot read: EISDIR/);
  });
});
