/** Dev mode: embedded Postgres in a data dir, local driver, scripted harness for every team, stable tokens. */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
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
  expect(printed).toContain(`team web: ${tokens.teams.web}`);
  expect(printed).toMatch(/harnesses: codex.*, scripted/);
  expect(printed).toContain('isolates nothing');

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
