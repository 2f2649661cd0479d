/**
 * Re-records the CLI output fixtures the stream-mapper tests read
 * (test/harnesses/<harness>/fixtures/*.jsonl): the real, installed CLI run with the adapter's
 * own command line against the fake model server, one case per behaviour. Run it after bumping a
 * pinned CLI version:
 *
 *   node --import tsx test/harnesses/support/record-cli-fixtures.ts [claude-code|codex]
 *
 * The API key is a throwaway value; the files hold no secret.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claudeArgs } from '../../../harnesses/claude-code/adapter/claude-args.ts';
import { codexArgs } from '../../../harnesses/codex/adapter/codex-args.ts';
import { startFakeModelServer } from '../../support/fake-model/server.ts';
import { installedCli, SandboxDirs } from './cli-sandbox.ts';

const here = dirname(fileURLToPath(import.meta.url));
const API_KEY = 'sk-fixture-not-a-secret';
export const FIXTURE_CASES = { simple: 'hello there', tool: '[[tool]] run a command for me', error: '[[error]]', crash: '[[crash]]' } as const;

async function record(harness: 'claude-code' | 'codex'): Promise<void> {
  const cli = installedCli(harness, harness === 'codex' ? 'codex' : 'claude', undefined);
  if ('missing' in cli) throw new Error(cli.missing);
  const fake = await startFakeModelServer({ apiKey: API_KEY });
  const dirs = new SandboxDirs();
  const out = join(here, '..', harness, 'fixtures');
  mkdirSync(out, { recursive: true });
  try {
    for (const [name, input] of Object.entries(FIXTURE_CASES)) {
      const { home, workspace } = dirs.create(harness);
      const args =
        harness === 'claude-code'
          ? claudeArgs({ session: { mode: 'new', id: randomUUID() }, permissionMode: 'bypassPermissions' })
          : codexArgs({ workspace, sandbox: 'bypass', model: 'paddock-fake', provider: { baseUrl: `${fake.url}/v1`, envKey: 'OPENAI_API_KEY', requestMaxRetries: 0, streamMaxRetries: 0 } });
      const env = { PATH: process.env.PATH, HOME: home, IS_SANDBOX: '1', ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: API_KEY, OPENAI_API_KEY: API_KEY, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
      // async: the fake model answers from this very process
      const run = await new Promise<{ stdout: string; status: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        const child = spawn(cli.path, args, { cwd: workspace, env });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stdin.end(input);
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.once('close', (status, signal) => {
          clearTimeout(timer);
          resolve({ stdout, status, signal });
        });
      });
      // paths and ids differ per run; the mapper does not depend on them
      const stdout = run.stdout.split(home).join('/home/agent').split(workspace).join('/workspace');
      writeFileSync(join(out, `${name}.jsonl`), stdout);
      process.stdout.write(`${harness}/${name}: exit ${run.status ?? run.signal}, ${stdout.split('\n').filter(Boolean).length} lines\n`);
    }
    writeFileSync(join(out, 'VERSION'), `${cli.version}\n`);
  } finally {
    await fake.close();
    dirs.cleanup();
  }
}

const which = process.argv[2];
for (const harness of ['claude-code', 'codex'] as const) if (!which || which === harness) await record(harness);
