/** Cross-team isolation, and bad input: every case a clear 4xx, never a 500. */
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, TOKENS, type TestRuntime } from '../support/runtime.ts';

let pg: TestPostgres;
let rt: TestRuntime;
let alpha: Api;
let beta: Api;
let alphaSession: string;
beforeAll(async () => {
  pg = await startTestPostgres();
  rt = await startTestRuntime(await pg.createDatabase());
  alpha = new Api(rt.url, TOKENS.alpha);
  beta = new Api(rt.url, TOKENS.beta);
  alphaSession = await alpha.createSession('scripted', 'alpha only');
  await alpha.waitForDone(alphaSession, await alpha.send(alphaSession, 'secret plans'));
});
afterAll(async () => {
  await rt?.close();
  await pg?.stop();
});

describe('cross-team isolation', () => {
  it('answers another team\'s session exactly like a missing one, on every route', async () => {
    const missing = randomUUID();
    const calls: Array<[string, string, unknown?]> = [
      ['GET', ''],
      ['GET', '/events'],
      ['POST', '/messages', { text: 'let me in' }],
      ['POST', '/abort'],
      ['DELETE', ''],
    ];
    for (const [method, suffix, body] of calls) {
      const theirs = await beta.request(method, `/v1/sessions/${alphaSession}${suffix}`, body);
      const none = await beta.request(method, `/v1/sessions/${missing}${suffix}`, body);
      expect({ route: `${method} ${suffix}`, status: theirs.status }).toEqual({ route: `${method} ${suffix}`, status: 404 });
      expect(theirs.body).toEqual({ error: { code: 'session_not_found', message: `no session ${alphaSession}` } });
      expect(none.body).toEqual({ error: { code: 'session_not_found', message: `no session ${missing}` } });
    }
    const sse = await fetch(`${rt.url}/v1/sessions/${alphaSession}/events`, { headers: { authorization: `Bearer ${TOKENS.beta}`, accept: 'text/event-stream' } });
    expect(sse.status).toBe(404);
  });

  it('never lists another team\'s sessions, and left the session untouched', async () => {
    const list = await beta.request('GET', '/v1/sessions?limit=200');
    expect(list.body.sessions.map((s: { id: string }) => s.id)).not.toContain(alphaSession);
    const teamFilter = await beta.request('GET', '/v1/sessions?team=alpha');
    expect(teamFilter).toMatchObject({ status: 400, body: { error: { code: 'invalid_query', message: 'unknown query parameter "team" (allowed: limit, cursor, state)' } } });
    const mine = await alpha.request('GET', `/v1/sessions/${alphaSession}`);
    expect(mine.body.session).toMatchObject({ state: 'active', turns: 1 });
  });

  it('does not let a team create sessions for another team or with a harness it lacks', async () => {
    const smuggled = await beta.request('POST', '/v1/sessions', { harness: 'scripted', team: 'alpha' });
    expect(smuggled).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', message: '(body): unknown field "team"' } } });
    const foreign = await beta.request('POST', '/v1/sessions', { harness: 'claude-code' });
    expect(foreign).toMatchObject({ status: 400, body: { error: { code: 'unknown_harness', message: 'team "beta" has no harness "claude-code"; its harnesses: scripted' } } });
  });
});

function rawRequest(method: string, path: string, headers: Record<string, string | number>, body: string | Buffer): Promise<{ status: number; text: string }> {
  const url = new URL(rt.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('bad input', () => {
  const auth = () => ({ authorization: `Bearer ${TOKENS.alpha}`, 'content-type': 'application/json' });

  it('answers each malformed request with a 4xx naming the problem', async () => {
    const session = `/v1/sessions/${alphaSession}`;
    const cases: Array<{ method: string; path: string; body?: string; headers?: Record<string, string>; status: number; code: string; message: RegExp }> = [
      { method: 'POST', path: '/v1/sessions', body: '{"harness": "scripted",', status: 400, code: 'invalid_json', message: /not valid JSON/ },
      { method: 'POST', path: '/v1/sessions', body: '"scripted"', status: 400, code: 'invalid_body', message: /must be a JSON object/ },
      { method: 'POST', path: '/v1/sessions', body: '{"harness":"scripted","model":"gpt"}', status: 400, code: 'invalid_body', message: /unknown field "model"/ },
      { method: 'POST', path: '/v1/sessions', body: '{"harness":42}', status: 400, code: 'invalid_body', message: /^harness: / },
      { method: 'POST', path: '/v1/sessions', body: '{}', status: 400, code: 'invalid_body', message: /^harness: / },
      { method: 'POST', path: '/v1/sessions', body: '', status: 400, code: 'invalid_body', message: /empty/ },
      { method: 'POST', path: '/v1/sessions', body: '{"harness":"nope"}', status: 400, code: 'unknown_harness', message: /team "alpha" has no harness "nope"; its harnesses: claude-code, scripted/ },
      { method: 'POST', path: '/v1/sessions', body: JSON.stringify({ harness: 'scripted', title: 'x'.repeat(201) }), status: 400, code: 'invalid_body', message: /^title: is longer than 200 characters/ },
      { method: 'POST', path: '/v1/sessions', body: '{"harness":"scripted"}', headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type', message: /application\/json/ },
      { method: 'POST', path: `${session}/messages`, body: '{"text":""}', status: 400, code: 'invalid_body', message: /^text: must not be empty/ },
      { method: 'POST', path: `${session}/messages`, body: '{"text":"hi","role":"system"}', status: 400, code: 'invalid_body', message: /unknown field "role"/ },
      // text Postgres cannot store: refused here, not a database error (for every message of its statement)
      { method: 'POST', path: `${session}/messages`, body: '{"text":"bad \\u0000 text"}', status: 400, code: 'invalid_body', message: /^text: must not contain the NUL character/ },
      { method: 'POST', path: `${session}/messages`, body: '{"text":"half \\ud800 a pair"}', status: 400, code: 'invalid_body', message: /^text: must be valid Unicode/ },
      { method: 'POST', path: '/v1/sessions', body: '{"harness":"scripted","title":"nul \\u0000"}', status: 400, code: 'invalid_body', message: /^title: must not contain the NUL character/ },
      { method: 'POST', path: `${session}/abort`, body: '{"force":true}', status: 400, code: 'invalid_body', message: /unknown field "force"/ },
      { method: 'GET', path: '/v1/sessions/not-a-uuid', status: 400, code: 'invalid_id', message: /session id "not-a-uuid" is not a UUID/ },
      { method: 'POST', path: "/v1/sessions/1'%20OR%201=1/messages", body: '{"text":"x"}', status: 400, code: 'invalid_id', message: /is not a UUID/ },
      { method: 'GET', path: `${session}/events?after=-1`, status: 400, code: 'invalid_query', message: /"after" must be an integer/ },
      { method: 'GET', path: `${session}/events?after=abc`, status: 400, code: 'invalid_query', message: /"after" must be an integer/ },
      { method: 'GET', path: `${session}/events?limit=100000`, status: 400, code: 'invalid_query', message: /"limit" must be an integer from 1 to 1000/ },
      { method: 'GET', path: `${session}/events?since=3`, status: 400, code: 'invalid_query', message: /unknown query parameter "since"/ },
      { method: 'GET', path: `${session}/events`, headers: { 'last-event-id': 'yesterday' }, status: 400, code: 'invalid_query', message: /"Last-Event-ID" must be an integer/ },
      { method: 'GET', path: '/v1/sessions?state=sleeping', status: 400, code: 'invalid_query', message: /"state" must be one of active, ended, failed/ },
      { method: 'GET', path: '/v1/sessions?cursor=garbage', status: 400, code: 'invalid_query', message: /"cursor" is not a cursor this API returned/ },
      { method: 'GET', path: '/v1/nothing-here', status: 404, code: 'not_found', message: /no route GET \/v1\/nothing-here/ },
      { method: 'PUT', path: '/v1/sessions', body: '{}', status: 405, code: 'method_not_allowed', message: /accepts POST, GET/ },
    ];
    for (const c of cases) {
      const res = await rawRequest(c.method, c.path, { ...auth(), ...(c.headers ?? {}) }, c.body ?? '');
      const body = JSON.parse(res.text) as { error: { code: string; message: string } };
      expect({ case: `${c.method} ${c.path} ${c.body ?? ''}`.slice(0, 90), status: res.status, code: body.error.code }).toEqual({ case: `${c.method} ${c.path} ${c.body ?? ''}`.slice(0, 90), status: c.status, code: c.code });
      expect(body.error.message).toMatch(c.message);
    }
  });

  it('refuses oversized bodies with 413, declared or streamed, and stays healthy', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(600 * 1024) });
    const declared = await rawRequest('POST', `/v1/sessions/${alphaSession}/messages`, auth(), big);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text)).toEqual({ error: { code: 'payload_too_large', message: `the request body is ${Buffer.byteLength(big)} bytes; the limit is ${512 * 1024} bytes` } });
    const chunked = await rawRequest('POST', `/v1/sessions/${alphaSession}/messages`, { ...auth(), 'transfer-encoding': 'chunked' }, big);
    expect(chunked.status).toBe(413);
    const tooLongText = await rawRequest('POST', `/v1/sessions/${alphaSession}/messages`, auth(), JSON.stringify({ text: 'y'.repeat(300 * 1024) }));
    expect(tooLongText.status).toBe(400);
    expect(tooLongText.text).toMatch(/text: is longer than 262144 characters/);
    const events = await alpha.events(alphaSession);
    expect(events.filter((e) => e.type === 'user_message')).toHaveLength(1);
    expect((await fetch(`${rt.url}/readyz`)).status).toBe(200);
  });

  it('counted no 5xx answers', async () => {
    const metrics = await (await fetch(`${rt.url}/metrics`)).text();
    expect(metrics).not.toMatch(/code="5xx"/);
  });
});
