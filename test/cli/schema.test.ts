/** `paddock schema`: help, writing, and --check saying plainly whether the file is up to date. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.ts';
import { main } from '../../cli/main.ts';
import { JSON_SCHEMA_PATH, renderJsonSchema } from '../../config/json-schema.ts';

interface Captured extends CliIo {
  out: string;
  err: string;
}

function io(cwd: string): Captured {
  const captured: Captured = { cwd, out: '', err: '', stdout: (t) => void (captured.out += t), stderr: (t) => void (captured.err += t), relative: (p) => relative(cwd, p) };
  return captured;
}

describe('paddock schema', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'paddock-schema-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('prints its usage for --help and -h, writing nothing', async () => {
    for (const flag of ['--help', '-h']) {
      const captured = io(work);
      expect(await main(['schema', flag], captured)).toBe(0);
      expect(captured.out).toMatch(/^Usage: paddock schema \[--check\]\n[\s\S]*--check +write nothing/);
      expect(captured.err).toBe('');
    }
    const check = io(work);
    expect(await main(['schema', '--check'], check)).toBe(1);
    expect(check.err).toBe(`${JSON_SCHEMA_PATH} is missing: run \`npm run schema\`\n`);
  });

  it('writes the schema, then --check says it is up to date; a stale file fails --check', async () => {
    const write = io(work);
    expect(await main(['schema'], write)).toBe(0);
    expect(write.out).toBe(`${JSON_SCHEMA_PATH} written\n`);
    expect(readFileSync(join(work, JSON_SCHEMA_PATH), 'utf8')).toBe(renderJsonSchema());

    const check = io(work);
    expect(await main(['schema', '--check'], check)).toBe(0);
    expect(check.out).toBe(`${JSON_SCHEMA_PATH} is up to date\n`);
    expect(check.err).toBe('');

    writeFileSync(join(work, JSON_SCHEMA_PATH), '{}\n');
    const stale = io(work);
    expect(await main(['schema', '--check'], stale)).toBe(1);
    expect(stale.err).toBe(`${JSON_SCHEMA_PATH} is stale: run \`npm run schema\`\n`);
  });

  it('names an unknown option and shows the usage (exit 2)', async () => {
    const captured = io(work);
    expect(await main(['schema', '--chek'], captured)).toBe(2);
    expect(captured.err).toMatch(/^paddock schema: Unknown option '--chek'[\s\S]*Usage: paddock schema \[--check\]/);
  });
});
