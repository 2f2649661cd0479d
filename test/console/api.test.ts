/**
 * The console's API client (console/src/api.ts) against a real runtime: the calls the pages
 * make, the shapes they rely on, and the errors a person sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApi, TOKEN_REJECTED } from '../../console/src/api.ts';
import { startTestPostgres, type TestPostgres } from '../runtime/support/postgres.ts';
import { startTestRuntime, TOKENS, type TestRuntime } from '../runtime/support/runtime.ts';

let pg: TestPostgres;
let rt: TestRuntime;
beforeAll(async () => {
  pg = await startTestPostgres();
  rt = await startTestRuntime(await pg.createDatabase());
});
afterAll(async () => {
  await rt?.close();
  await pg?.stop();
});

const api = (token: string) => createApi(token, (input, init) => fetch(input, init), rt.url);

describe('createApi', () => {
  it('creates, lists (with state filter and cursor paging), reads, messages, aborts and ends sessions', async () => {
    const alpha = api(TOKENS.alpha);
    const created = [];
    for (const title of ['one', 'two', 'three']) created.push(await alpha.createSession({ harness: 'scripted', title }));
    expect(created[0]).toMatchObject({ team: 'alpha', harness: 'scripted', title: 'one', state: 'active', turns: 0 });
    const first = await alpha.listSessions({ limit: 2 });
    expect(first.sessions.map((s) => s.title)).toEqual(['three', 'two']);
    expect(first.nextCursor).not.toBeNull();
    const second = await alpha.listSessions({ limit: 2, cursor: first.nextCursor! });
    expect(second.sessions.map((s) => s.title)).toEqual(['one']);
    const id = created[2]!.id;
    const turn = await alpha.sendMessage(id, '/slow 200 a b c d e f g h');
    expect(turn.number).toBe(1);
    expect((await alpha.getSession(id)).activeTurn).toMatchObject({ number: 1 });
    await alpha.abort(id);
    const ended = await alpha.endSession(id);
    expect(ended.state).toBe('ended');
    expect((await alpha.listSessions({ state: 'ended' })).sessions.map((s) => s.id)).toEqual([id]);
    // the running turn's end and the session's are written as the abort lands: wait for them
    let page = await alpha.eventsPage(id, 0);
    for (const deadline = Date.now() + 10_000; page.events.at(-1)?.type !== 'session_ended' && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      page = await alpha.eventsPage(id, 0);
    }
    expect(page.events.map((e) => e.seq)).toEqual(page.events.map((_, i) => i + 1));
    expect(page.events.at(-1)?.type).toBe('session_ended');
    expect(page.events.map((e) => e.type)).toContain('user_message');
  });

  it('says "That API token was not accepted" for a wrong token', async () => {
    const wrong = api('pdk_wrong-token-0000000000000000000000000000');
    const error = await wrong.harnesses().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized', message: TOKEN_REJECTED });
  });

  it("passes the API's code and message through, and treats another team's session as missing", async () => {
    const id = (await api(TOKENS.alpha).createSession({ harness: 'scripted' })).id;
    await expect(api(TOKENS.beta).getSession(id)).rejects.toMatchObject({ status: 404, code: 'session_not_found' });
    await expect(api(TOKENS.alpha).createSession({ harness: 'nope' })).rejects.toMatchObject({ status: 400, code: 'unknown_harness', message: expect.stringContaining('its harnesses: claude-code, scripted') });
    await expect(api(TOKENS.admin).createSession({ harness: 'scripted', team: 'alpha' })).resolves.toMatchObject({ team: 'alpha' });
  });

  it('reads an optional report as undefined when the route does not exist, and says so when the runtime is unreachable', async () => {
    expect(await api(TOKENS.admin).optional('/v1/no-such-report')).toBeUndefined();
    const offline = createApi(TOKENS.alpha, (input, init) => fetch(input, init), 'http://127.0.0.1:9');
    await expect(offline.harnesses()).rejects.toMatchObject({ status: 0, code: 'network', message: expect.stringMatching(/cannot be reached/) });
  });
});
