/** GET /v1/harnesses and the console at / on a real runtime (real Postgres, real harnesses). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listHarnesses } from '../../../runtime/api/harnesses.ts';
import { CONSOLE_CONTENT_SECURITY_POLICY } from '../../../runtime/api/console-assets.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, testConfig, TOKENS, type TestRuntime } from '../support/runtime.ts';

describe('listHarnesses', () => {
  const unavailable = (name: string) => (name === 'claude-code' ? 'no CLI here' : undefined);

  it('lists a team token its own team only, sorted, with what cannot run and why', () => {
    expect(listHarnesses(testConfig(), { kind: 'team', team: 'alpha' }, unavailable)).toEqual({
      principal: { kind: 'team', team: 'alpha' },
      teams: [{ name: 'alpha', harnesses: [{ name: 'claude-code', available: false, unavailableReason: 'no CLI here' }, { name: 'scripted', available: true, unavailableReason: null }] }],
    });
  });

  it('lists the admin every team', () => {
    const listing = listHarnesses(testConfig(), { kind: 'admin' }, unavailable);
    expect(listing.principal).toEqual({ kind: 'admin' });
    expect(listing.teams.map((t) => [t.name, t.harnesses.map((h) => h.name)])).toEqual([['alpha', ['claude-code', 'scripted']], ['beta', ['scripted']]]);
  });
});

describe('on a runtime', () => {
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

  it('answers GET /v1/harnesses per token, and 401 without one', async () => {
    const beta = await new Api(rt.url, TOKENS.beta).request('GET', '/v1/harnesses');
    expect(beta.status).toBe(200);
    expect(beta.body).toEqual({ principal: { kind: 'team', team: 'beta' }, teams: [{ name: 'beta', harnesses: [{ name: 'scripted', available: true, unavailableReason: null }] }] });
    const alpha = await new Api(rt.url, TOKENS.alpha).request('GET', '/v1/harnesses');
    // the local driver cannot run claude-code here (no CLI on this PATH): said, with the reason
    expect(alpha.body.teams[0].harnesses[0]).toMatchObject({ name: 'claude-code', available: false, unavailableReason: expect.stringMatching(/claude-code/) });
    const admin = await new Api(rt.url, TOKENS.admin).request('GET', '/v1/harnesses');
    expect(admin.body.teams.map((t: { name: string }) => t.name)).toEqual(['alpha', 'beta']);
    const none = await fetch(`${rt.url}/v1/harnesses`);
    expect(none.status).toBe(401);
    const query = await new Api(rt.url, TOKENS.beta).request('GET', '/v1/harnesses?team=alpha');
    expect(query).toMatchObject({ status: 400, body: { error: { code: 'invalid_query' } } });
  });

  it('serves the built console at / and its client routes, with the security headers, without a token', async () => {
    for (const path of ['/', '/sessions/3f1c2a7e-1d2b-4c5d-8e9f-0a1b2c3d4e5f']) {
      const res = await fetch(`${rt.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const html = await res.text();
      const script = /<script type="module" crossorigin src="(\/assets\/[\w.-]+\.js)"><\/script>/.exec(html);
      expect(script, html).not.toBeNull();
      const js = await fetch(`${rt.url}${script![1]}`);
      expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    }
    // the API keeps its JSON 404s and the probes their answers
    const unknown = await fetch(`${rt.url}/v1/nothing`, { headers: { authorization: `Bearer ${TOKENS.alpha}` } });
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: { code: 'not_found', message: 'no route GET /v1/nothing' } }]);
    expect((await fetch(`${rt.url}/healthz`)).status).toBe(200);
    const post = await fetch(`${rt.url}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${rt.url}/`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type'), head.headers.get('x-frame-options'), await head.text()]).toEqual([200, 'text/html; charset=utf-8', 'DENY', '']);
  });
});
