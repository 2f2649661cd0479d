/** Dev mode: embedded Postgres in a data dir, local driver, scripted harness for every team, stable tokens. */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../runtime/db/embedded.ts';
import { startDev, type DevRuntime } from '../../runtime/dev.ts';
import { silentLogger } from '../../runtime/log.ts';
import { Api, textOf } from './support/runtime.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'paddock-dev-'));
// as root, embedded Postgres runs as the postgres user, which must be able to enter the data dir
chmodSync(dataDir, 0o755);
let dev: DevRuntime | undefined;
afterAll(async () => {
  await dev?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('starts for the local stack, chats with the scripted harness, and keeps tokens and sessions across restarts', async () => {
  let printed = '';
  dev = await startDev({ stack: 'local', port: 0, dataDir, log: silentLogger, print: (t) => (printed += t) });
  const tokensFile = join(dataDir, 'tokens.json');
  const tokens = JSON.parse(readFileSync(tokensFile, 'utf8'));
  expect(Object.keys(tokens)).toEqual(['admin', 'teams']);
  expect(Object.keys(tokens.teams)).toEqual(['platform', 'web']);
  expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
  expect(dev.info.tokens).toEqual(tokens);
  expect(printed).toContain(`Paddock dev runtime ready at ${dev.info.url}`);
  expect(printed).toContain(`web console: open ${dev.info.url}/ and sign in with a token below`);
  expect(printed).toContain(`team web: ${tokens.teams.web}`);
  expect(printed).toMatch(/harnesses: codex.*, scripted/);
  expect(printed).toContain('isolates nothing');
  // the stack's gateway is an in-cluster name: the banner says how to give the real agents one
  if (!process.env.PADDOCK_MODEL_GATEWAY_URL) expect(printed).toMatch(/model gateway: http\S+ \(the stack's; agents other than "scripted" need one this machine reaches: set PADDOCK_MODEL_GATEWAY_URL\)/);

  // team web declares only codex; dev mode adds the scripted harness
  let api = new Api(dev.info.url, tokens.teams.web);
  const id = await api.createSession('scripted', 'dev chat');
  const first = await api.waitForDone(id, await api.send(id, 'hello dev'));
  expect(textOf(first)).toBe('I heard: hello dev (turn 1, 0 history messages)');
  await dev.close();
  dev = undefined;
  expect(existsSync(join(dataDir, 'dev.pid'))).toBe(false);

  dev = await startDev({ stack: 'local', port: 0, dataDir, log: silentLogger, print: () => undefined });
  expect(dev.info.tokens).toEqual(tokens);
  api = new Api(dev.info.url, tokens.teams.web);
  const session = await api.request('GET', `/v1/sessions/${id}`);
  expect(session.body.session).toMatchObject({ title: 'dev chat', state: 'active', turns: 1 });
  // the sandbox stopped with the old process: a new one gets the conversation
  const second = await api.waitForDone(id, await api.send(id, 'still here'));
  expect(textOf(second)).toBe('I heard: still here (turn 2, 2 history messages)');
  expect(second.filter((e) => e.type === 'sandbox')).toEqual([expect.objectContaining({ action: 'lost', generation: 1 }), expect.objectContaining({ action: 'acquired', generation: 2 })]);
  const other = new Api(dev.info.url, tokens.teams.platform);
  expect((await other.request('GET', `/v1/sessions/${id}`)).status).toBe(404);
});

it('Ctrl-C (SIGINT to the whole process group) stops dev mode within 10 s, the running turn recorded interrupted/runtime_shutdown before Postgres stops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-dev-ctrlc-'));
  chmodSync(dir, 0o755);
  const repo = join(import.meta.dirname, '..', '..');
  // detached: a process group of its own, as a shell gives a foreground job
  const child = spawn(process.execPath, [join(repo, 'bin', 'paddock.mjs'), 'dev', '--port', '0', '--data-dir', dir], { cwd: repo, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  try {
    let url: string | undefined;
    for (let i = 0; i < 600 && !url; i++) {
      url = /ready at (http:\/\/\S+)/.exec(output)?.[1];
      if (child.exitCode !== null) throw new Error(`paddock dev exited: ${output}`);
      if (!url) await delay(100);
    }
    const tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8'));
    const api = new Api(url!, tokens.teams.web);
    const id = await api.createSession('scripted', 'ctrl-c');
    const turn = await api.send(id, '/slow 60000 an answer that takes minutes');
    // the turn is running once its first delta has streamed
    await api.sse(id, { until: (e) => e.type === 'text_delta', timeoutMs: 20_000 });

    const pressed = Date.now();
    process.kill(-child.pid!, 'SIGINT');
    // npm run dev forwards the terminal's SIGINT: the same Ctrl-C arrives twice
    await delay(50);
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    expect(Date.now() - pressed).toBeLessThan(10_000);
    expect(code).toBe(0);
    expect(output).not.toMatch(/connection (lost|terminated|ended)|terminating connection|abandoned|unexpected(ly)? (end|exit)/i);
    expect(output).not.toMatch(/\n\s+at .*\.(ts|js):\d+/); // no stack trace

    const postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres') });
    const client = new pg.Client({ connectionString: postgres.url('paddock') });
    await client.connect();
    try {
      const row = (await client.query('SELECT state, error_code FROM turns WHERE session_id = $1 AND turn = $2', [id, turn])).rows[0];
      expect(row).toEqual({ state: 'interrupted', error_code: 'runtime_shutdown' });
    } finally {
      await client.end();
      await postgres.stop();
    }
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
