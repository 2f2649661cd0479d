/**
 * Every `npm run NAME` written in README.md, docs/, scripts/ and the CI workflows names a
 * script of package.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function filesUnder(dir: string, suffixes: readonly string[]): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && suffixes.some((s) => e.name.endsWith(s)))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const DOCUMENTS = ['README.md', ...filesUnder('docs', ['.md']), ...filesUnder('scripts', ['.sh']), ...filesUnder('.github/workflows', ['.yml', '.yaml'])];
const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);

/** `npm run NAME` → NAME; a script name is letters, digits and `:._-`. */
function npmRuns(text: string): string[] {
  return [...text.matchAll(/\bnpm run ([A-Za-z0-9:._-]*[A-Za-z0-9])/g)].map((m) => m[1]!);
}

describe('npm run in the docs', () => {
  it('finds them', () => {
    expect(npmRuns('`npm run e2e:kind`, npm run plan -- --stack prod, npm run synth.')).toEqual(['e2e:kind', 'plan', 'synth']);
    expect(DOCUMENTS).toContain('.github/workflows/e2e-kind.yml');
  });

  it('names only scripts of package.json', () => {
    const unknown = DOCUMENTS.flatMap((file) => npmRuns(readFileSync(file, 'utf8')).filter((name) => !scripts.includes(name)).map((name) => `${file}: npm run ${name}`));
    expect(unknown).toEqual([]);
  });
});
