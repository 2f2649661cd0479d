/**
 * What the images run, without Docker: the adapter bundled the way the Dockerfile bundles it
 * (esbuild, one ESM file, nothing resolved at run time but Node built-ins), laid out like the
 * image (/opt/paddock/adapter/server.mjs beside /opt/paddock/node_modules with the pinned CLI),
 * started with the harness.yaml command (minus tini) and a PATH that does not contain the CLI,
 * answering a real turn through the CLI and the fake model.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeTurn } from '../../harnesses/conformance/turn.ts';
import { harnessDir } from '../../harnesses/registry.ts';
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model/server.ts';
import { harnessRegistry } from '../support/fixtures.ts';
import { installedCli, missingCliTest, SandboxDirs } from './support/cli-sandbox.ts';

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}
// the repository's esbuild (tsx's), the same version the image pins
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx'))('esbuild') as Esbuild;

const cases = [
  { harness: 'claude-code', cli: 'claude', env: (url: string, key: string) => ({ ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: key }) },
  { harness: 'codex', cli: 'codex', env: (url: string, key: string) => ({ OPENAI_BASE_URL: `${url}/v1`, OPENAI_API_KEY: key, PADDOCK_CODEX_MODEL: 'paddock-fake', PADDOCK_CODEX_MAX_RETRIES: '0' }) },
] as const;

const root = mkdtempSync(join(tmpdir(), 'paddock-image-'));
const dirs = new SandboxDirs();
const apiKey = `sk-test-${randomBytes(8).toString('hex')}`;
let fake: FakeModelServer;
beforeAll(async () => {
  fake = await startFakeModelServer({ apiKey });
});
afterAll(async () => {
  await fake.close();
  dirs.cleanup();
  rmSync(root, { recursive: true, force: true });
});

for (const c of cases) {
  const cli = installedCli(c.harness, c.cli, undefined);
  describe(`${c.harness} image layout`, () => {
    if ('missing' in cli) {
      missingCliTest(cli.missing);
      return;
    }
    it('runs the bundled adapter with the image command and answers a turn through the CLI', async () => {
      const definition = harnessRegistry().get(c.harness)!;
      expect(definition.command).toEqual(['/usr/bin/tini', '--', 'node', '/opt/paddock/adapter/server.mjs']);
      const opt = join(root, c.harness, 'opt', 'paddock');
      mkdirSync(join(opt, 'adapter'), { recursive: true });
      symlinkSync(join(harnessDir(c.harness), 'node_modules'), join(opt, 'node_modules'));
      await esbuild.build({ entryPoints: [join(harnessDir(c.harness), 'adapter', 'server.ts')], bundle: true, platform: 'node', target: 'node22', format: 'esm', outfile: join(opt, 'adapter', 'server.mjs'), logLevel: 'silent', banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' } });

      const { home, workspace } = dirs.create(c.harness);
      const token = randomBytes(24).toString('hex');
      const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, PADDOCK_WORKSPACE: workspace, PADDOCK_HARNESS_PORT: '0', PADDOCK_HARNESS_HOST: '127.0.0.1', PADDOCK_SANDBOX_TOKEN: token, ...c.env(fake.url, apiKey) };
      const child = spawn(process.execPath, [join(opt, 'adapter', 'server.mjs')], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      try {
        const port = await new Promise<number>((resolve, reject) => {
          createInterface({ input: child.stdout }).on('line', (line) => {
            const port = (JSON.parse(line) as { listening?: { port?: number } }).listening?.port;
            if (port) resolve(port);
          });
          child.once('exit', (code) => reject(new Error(`the bundled adapter exited (${code}): ${stderr}`)));
        });
        const turn = await observeTurn(`http://127.0.0.1:${port}`, { sessionId: 'image', turn: 1, input: 'hello there', history: [] }, { token, deadlineMs: 45_000 });
        expect(turn.done?.stopReason, stderr).toBe('end_turn');
        expect(turn.text).toBe('Fake model reply to: hello there');
      } finally {
        child.kill('SIGTERM');
      }
    }, 60_000);
  });
}
