/** `paddock dev` as a user runs it (bin/paddock.mjs, a real process): exit codes and messages when it cannot start. */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-cli-dev-'));
  chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

function paddock(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'paddock.mjs'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

it('a second paddock dev on the same data dir exits non-zero, naming the first', async () => {
  const dir = dataDir();
  // a live process holds the data dir: this test runner stands in for the first paddock dev
  writeFileSync(join(dir, 'dev.pid'), `${process.pid}\n`);
  const second = await paddock(['dev', '--port', '0', '--data-dir', dir]);
  expect(second.code).toBe(1);
  expect(second.stderr).toBe(`paddock dev: another paddock dev (pid ${process.pid}) is using ${dir}; stop it or pass another --data-dir\n`);
});

it('a taken port fails at once, suggesting --port, without a stack trace or a database started', async () => {
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const dir = dataDir();
    const run = await paddock(['dev', '--port', String(port), '--data-dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`paddock dev: port ${port} on 127.0.0.1 is in use (another paddock dev, or another program); pass another --port (--port 0 picks a free one)\n`);
    expect(run.stdout).toBe('');
    expect(existsSync(join(dir, 'postgres'))).toBe(false);
    expect(existsSync(join(dir, 'dev.pid'))).toBe(false);
  } finally {
    taken.close();
  }
});
