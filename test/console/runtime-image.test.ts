/**
 * The runtime image carries the console: a stage builds it from files the build context lets
 * in, and the last stage puts it where the runtime looks (console-assets.ts resolves
 * ../../console/dist from its module, which in the image is the bundle dist/main.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dockerignoreAllows, parseDockerfile } from '../../harnesses/conformance/dockerfile-lint.ts';
import { defaultConsoleDir } from '../../runtime/api/console-assets.ts';

const instructions = parseDockerfile(readFileSync('runtime/Dockerfile', 'utf8'));
const allowed = dockerignoreAllows(readFileSync('runtime/Dockerfile.dockerignore', 'utf8').split('\n'));

/** COPY sources (flags dropped); the last argument is the destination */
function copies(fromStage?: string): Array<{ sources: string[]; destination: string }> {
  return instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => i.args.split(/\s+/))
    .filter((words) => (fromStage ? words.includes(`--from=${fromStage}`) : !words.some((w) => w.startsWith('--from='))))
    .map((words) => {
      const paths = words.filter((w) => !w.startsWith('--'));
      return { sources: paths.slice(0, -1), destination: paths.at(-1)! };
    });
}

describe('runtime/Dockerfile and the console', () => {
  it('builds the console in a stage of its own with the build script the repository uses', () => {
    const stages = instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args);
    expect(stages).toContain('${NODE_IMAGE} AS console');
    const run = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(run).toContain('node --import tsx scripts/build-console.ts && chmod -R a=rX console/dist');
  });

  it('copies only files that exist and that the build context lets in', () => {
    const sources = copies().flatMap((c) => c.sources);
    expect(sources).toEqual(expect.arrayContaining(['console/', 'scripts/build-console.ts', 'harnesses/protocol/sse.ts']));
    for (const source of sources) {
      expect(existsSync(source), source).toBe(true);
      expect(allowed(source), `${source} is excluded by runtime/Dockerfile.dockerignore`).toBe(true);
    }
    // built inside the image, never taken from the machine that builds it
    expect(allowed('console/dist/index.html')).toBe(false);
    expect(allowed('console/src/main.tsx')).toBe(true);
  });

  it('puts the built files where the bundled runtime looks for them', () => {
    expect(copies('console')).toEqual([{ sources: ['/src/console/dist'], destination: '/opt/paddock/console/dist' }]);
    const entry = instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args;
    const bundle = (JSON.parse(entry) as string[]).find((a) => a.endsWith('.mjs'))!;
    expect(bundle).toBe('/opt/paddock/runtime/dist/main.mjs');
    // console-assets.ts resolves ../../console/dist from its own module URL
    expect(new URL('../../console/dist', `file://${bundle}`).pathname).toBe('/opt/paddock/console/dist');
    expect(defaultConsoleDir({})).toMatch(/\/console\/dist$/);
    expect(defaultConsoleDir({ PADDOCK_CONSOLE_DIR: '/srv/console' })).toBe('/srv/console');
  });
});
