/**
 * Every shell script of the repository passes shellcheck: files ending in .sh and files whose
 * first line is a bash or sh shebang (such as .ci/run). Where shellcheck is not installed the
 * lint is skipped, except in CI (CI=true), where .ci/run installs it and its absence fails.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.paddock', 'manifests']);
const SHEBANG = /^#!\s*(\/usr)?\/bin\/(env\s+)?(bash|sh)\b/;

function shellScripts(dir = '.'): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = dir === '.' ? entry.name : join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...shellScripts(path));
    } else if (entry.isFile() && (entry.name.endsWith('.sh') || SHEBANG.test(readFileSync(path, 'utf8').slice(0, 100)))) {
      found.push(path);
    }
  }
  return found.sort();
}

const installed = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
const inCi = process.env.CI === 'true';
const scripts = shellScripts();

describe('shell scripts', () => {
  it('are found: .sh files and files with a shell shebang', () => {
    expect(scripts).toContain('scripts/e2e-kind.sh');
    expect(scripts).toContain('.ci/run');
    expect(scripts.every((s) => !s.includes('node_modules'))).toBe(true);
  });

  it('shellcheck is installed in CI (.ci/run installs it)', () => {
    expect(installed || !inCi, 'CI=true and shellcheck is not installed: .ci/run runs apt-get install -y shellcheck').toBe(true);
  });

  it.skipIf(!installed)('pass shellcheck', () => {
    const result = spawnSync('shellcheck', ['--format=gcc', ...scripts], { encoding: 'utf8' });
    expect(result.stdout + result.stderr, `shellcheck ${scripts.join(' ')}`).toBe('');
    expect(result.status).toBe(0);
  });
});
