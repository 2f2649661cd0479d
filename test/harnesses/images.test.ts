/**
 * The harness images, checked without a Docker engine: every harness Dockerfile passes the
 * lint (harnesses/conformance/dockerfile-lint.ts) against its own harness.yaml, and the CLI it
 * installs is pinned exactly, with the lockfile agreeing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintDockerfile } from '../../harnesses/conformance/dockerfile-lint.ts';
import { HARNESSES_DIR, harnessDir } from '../../harnesses/registry.ts';
import { harnessRegistry } from '../support/fixtures.ts';

const repoRoot = join(HARNESSES_DIR, '..');
const CLI_HARNESSES = { 'claude-code': '@anthropic-ai/claude-code', codex: '@openai/codex' } as const;

describe('harness images', () => {
  const withDockerfile = [...harnessRegistry().values()].filter((d) => existsSync(join(harnessDir(d.name), 'Dockerfile')));

  it('exist for the CLI harnesses', () => {
    expect(withDockerfile.map((d) => d.name)).toEqual(expect.arrayContaining(Object.keys(CLI_HARNESSES)));
  });

  for (const definition of withDockerfile) {
    it(`${definition.name}: its Dockerfile passes the image lint against its harness.yaml`, () => {
      const dockerfile = join(harnessDir(definition.name), 'Dockerfile');
      const ignore = `${dockerfile}.dockerignore`;
      const problems = lintDockerfile(readFileSync(dockerfile, 'utf8'), {
        definition,
        exists: (path) => existsSync(join(repoRoot, path)),
        ...(existsSync(ignore) ? { dockerignore: readFileSync(ignore, 'utf8').split('\n') } : {}),
      });
      expect(problems).toEqual([]);
    });
  }

  for (const [harness, cli] of Object.entries(CLI_HARNESSES)) {
    it(`${harness}: pins ${cli} exactly, and its lockfile installs that version`, () => {
      const dir = harnessDir(harness);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
      const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
      for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
        expect(range, `${name} must be an exact version`).toMatch(/^\d+\.\d+\.\d+$/);
        expect(lock.packages[`node_modules/${name}`]?.version, `${name} in package-lock.json`).toBe(range);
        expect(lock.packages[`node_modules/${name}`]?.integrity).toMatch(/^sha512-/);
      }
      expect(Object.keys(manifest.dependencies)).toEqual([cli]);
      // the adapter bundle resolves zod from this package: keep it on the repository's version
      const rootLock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
      expect(manifest.devDependencies.zod).toBe(rootLock.packages['node_modules/zod']?.version);
    });
  }
});
