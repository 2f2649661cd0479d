/**
 * The audit trail through the real runtime (real Postgres, scripted-harness processes): every
 * authenticated route is audited (the table below must name each one AUDITED_ROUTES lists, and
 * the server refuses to start with a route missing there), who/what/which session/outcome are
 * recorded and never the token, a team's reads of its own data are not recorded, GET /v1/audit
 * pages and filters with validated parameters, and a team sees only the rows about its team.
 */
import { request } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDITED_ROUTES, assertEveryRouteAudited } from '../../../runtime/audit/actions.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, TOKENS, type TestRuntime } from '../support/runtime.ts';

let server: TestPostgres;
let rt: TestRuntime;
let db: pg.Pool;
let alpha: Api;
let beta: Api;
let admin: Api;
let alphaSession: string;
let counter = 0;

interface AuditRow {
  principal: string;
  team: string | null;
  action: string;
  subject_team: string | null;
  session_id: string | null;
  request_id: string;
  client_address: string | null;
  method: string;
  route: string;
  status: number;
  error_code: string | null;
}

/** The request's audit row (written after the response: polled for), or undefined after a grace period. */
async function auditRowOf(requestId: string, graceMs = 3_000): Promise<AuditRow | undefined> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const { rows } = await db.query<AuditRow>('SELECT * FROM audit_log WHERE request_id = $1', [requestId]);
    if (rows.length > 1) throw new Error(`${rows.length} audit rows for request ${requestId}`);
    if (rows[0] || Date.now() > deadline) return rows[0];
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function call(api: Api, method: string, path: string, body?: unknown) {
  const requestId = `audit-test-${++counter}`;
  const res = await api.request(method, path, body, { 'x-request-id': requestId });
  return { res, requestId };
}

/** One request per audited route, as the admin; keys must be exactly AUDITED_ROUTES' keys. */
const ADMIN_REQUESTS: Record<string, () => { method: string; path: string; body?: unknown }> = {
  'sessions.create': () => ({ method: 'POST', path: '/v1/sessions', body: { team: 'alpha', harness: 'scripted' } }),
  'sessions.message': () => ({ method: 'POST', path: `/v1/sessions/${alphaSession}/messages`, body: { text: 'from the admin' } }),
  'sessions.abort': () => ({ method: 'POST', path: `/v1/sessions/${alphaSession}/abort` }),
  'sessions.delete': () => ({ method: 'DELETE', path: `/v1/sessions/${alphaSession}` }),
  'sessions.list': () => ({ method: 'GET', path: '/v1/sessions?team=alpha' }),
  'sessions.get': () => ({ method: 'GET', path: `/v1/sessions/${alphaSession}` }),
  'sessions.events': () => ({ method: 'GET', path: `/v1/sessions/${alphaSession}/events` }),
  'sessions.summary': () => ({ method: 'GET', path: `/v1/sessions/${alphaSession}/summary` }),
  usage: () => ({ method: 'GET', path: '/v1/usage' }),
  audit: () => ({ method: 'GET', path: '/v1/audit?limit=1' }),
  'harnesses.list': () => ({ method: 'GET', path: '/v1/harnesses' }),
};

beforeAll(async () => {
  server = await startTestPostgres();
  const url = await server.createDatabase();
  rt = await startTestRuntime(url);
  db = new pg.Pool({ connectionString: url, max: 2 });
  db.on('error', () => undefined);
  alpha = new Api(rt.url, TOKENS.alpha);
  beta = new Api(rt.url, TOKENS.beta);
  admin = new Api(rt.url, TOKENS.admin);
  alphaSession = await alpha.createSession();
  await alpha.waitForDone(alphaSession, await alpha.send(alphaSession, '/tool first turn'));
}, 60_000);

afterAll(async () => {
  await rt?.close();
  await db?.end();
  await server?.stop();
});

describe('the audit trail', () => {
  it('refuses a route table with an authenticated route that has no audit entry', () => {
    expect(() => assertEveryRouteAudited([{ name: 'sessions.get' }, { name: 'healthz', public: true }, { name: 'sessions.export' }])).toThrow('API routes without an audit entry (runtime/audit/actions.ts): sessions.export');
    expect(Object.keys(ADMIN_REQUESTS).sort()).toEqual(Object.keys(AUDITED_ROUTES).sort());
  });

  it('records every audited route for the admin: who, what, which session, whose data, outcome; never the token', async () => {
    for (const [routeName, make] of Object.entries(ADMIN_REQUESTS)) {
      const { method, path, body } = make();
      const { res, requestId } = await call(admin, method, path, body);
      // the route exists and answered (not an unmatched path)
      expect({ routeName, status: res.status }).toEqual({ routeName, status: expect.any(Number) });
      expect(res.status, `${routeName}: ${JSON.stringify(res.body)}`).toBeLessThan(404);
      const row = await auditRowOf(requestId);
      expect(row, `${routeName} has an audit row`).toMatchObject({ principal: 'admin', team: null, action: AUDITED_ROUTES[routeName]!.action, method, status: res.status, error_code: null, client_address: expect.stringMatching(/127\.0\.0\.1/) });
      if (path.includes(alphaSession)) expect(row).toMatchObject({ session_id: alphaSession, subject_team: 'alpha' });
      if (routeName === 'sessions.create') expect(row).toMatchObject({ session_id: res.body.session.id, subject_team: 'alpha', route: '/v1/sessions' });
      if (routeName === 'sessions.list') expect(row!.subject_team).toBe('alpha');
    }
    const { rows } = await db.query("SELECT count(*)::int AS n FROM audit_log WHERE row_to_json(audit_log)::text LIKE '%pdk_%'");
    expect(rows[0].n).toBe(0);
  });

  it('records a team\'s changes with their outcome, and not its reads of its own data', async () => {
    const created = await call(alpha, 'POST', '/v1/sessions', { harness: 'scripted' });
    expect(await auditRowOf(created.requestId)).toMatchObject({ principal: 'team', team: 'alpha', subject_team: 'alpha', action: 'session.create', session_id: created.res.body.session.id, status: 201 });
    const id = created.res.body.session.id as string;
    const message = await call(alpha, 'POST', `/v1/sessions/${id}/messages`, { text: 'hello' });
    expect(await auditRowOf(message.requestId)).toMatchObject({ action: 'session.message', session_id: id, status: 202, route: '/v1/sessions/{id}/messages' });
    // a refused change is recorded with its error code: beta cannot touch alpha's session
    const refused = await call(beta, 'POST', `/v1/sessions/${id}/abort`);
    expect(refused.res.status).toBe(404);
    expect(await auditRowOf(refused.requestId)).toMatchObject({ principal: 'team', team: 'beta', subject_team: 'beta', action: 'session.abort', session_id: id, status: 404, error_code: 'session_not_found' });
    const invalid = await call(alpha, 'POST', `/v1/sessions/${id}/messages`, { text: '' });
    expect(await auditRowOf(invalid.requestId)).toMatchObject({ action: 'session.message', status: 400, error_code: expect.any(String) });
    const ended = await call(alpha, 'DELETE', `/v1/sessions/${id}`);
    expect(await auditRowOf(ended.requestId)).toMatchObject({ action: 'session.end', status: 200 });
    // reads of its own data: no rows
    for (const path of [`/v1/sessions/${id}`, `/v1/sessions/${id}/events`, `/v1/sessions/${id}/summary`, '/v1/sessions', '/v1/usage', '/v1/audit', '/v1/harnesses']) {
      const read = await call(alpha, 'GET', path);
      expect(read.res.status, path).toBe(200);
      expect(await auditRowOf(read.requestId, 300), path).toBeUndefined();
    }
    // no token, no principal: not recorded (the log has it)
    const anonymous = await call(new Api(rt.url, 'not-a-token'), 'POST', '/v1/sessions', { harness: 'scripted' });
    expect(anonymous.res.status).toBe(401);
    expect(await auditRowOf(anonymous.requestId, 300)).toBeUndefined();
  });
  it('records a request whose socket the server destroyed (a streamed body over the limit), with the peer address, and stays up', async () => {
    const requestId = `audit-test-${++counter}`;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${rt.url}/v1/sessions/${alphaSession}/messages`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.alpha}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'x-request-id': requestId } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ text: 'x'.repeat(600 * 1024) }));
    });
    expect(status).toBe(413);
    expect(await auditRowOf(requestId)).toMatchObject({ principal: 'team', team: 'alpha', action: 'session.message', status: 413, error_code: 'payload_too_large', client_address: expect.stringMatching(/127\.0\.0\.1$/) });
    expect((await fetch(`${rt.url}/readyz`)).status).toBe(200);
  });
});

describe('GET /v1/audit', () => {
  it('shows a team the rows about its data (its own and the admin\'s reads of it), newest first', async () => {
    const res = await alpha.request('GET', '/v1/audit?limit=500');
    expect(res.status).toBe(200);
    const rows = res.body.audit as Array<{ principal: { kind: string; team?: string }; subjectTeam: string; action: string; at: string; id: string }>;
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((r) => r.subjectTeam === 'alpha')).toBe(true);
    expect(rows.some((r) => r.principal.kind === 'admin' && r.action === 'session.events')).toBe(true);
    expect(rows.some((r) => r.principal.kind === 'team' && r.principal.team === 'beta')).toBe(false);
    const ids = rows.map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const asBeta = await beta.request('GET', '/v1/audit');
    expect((asBeta.body.audit as Array<{ subjectTeam: string }>).map((r) => r.subjectTeam)).toEqual(['beta']);
  });

  it('pages with a cursor and filters by session, action, time and (admin) team', async () => {
    const all = (await admin.request('GET', '/v1/audit?limit=500')).body.audit as Array<{ id: string }>;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { audit: Array<{ id: string }>; nextCursor: string | null } } = await admin.request('GET', `/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.audit.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    // the admin's reads of the trail are audited too: the pages also hold those newer rows
    expect(seen.filter((id) => Number(id) <= Number(all[0]!.id))).toEqual(all.map((r) => r.id));
    expect(new Set(seen).size).toBe(seen.length);

    const bySession = await admin.request('GET', `/v1/audit?session=${alphaSession}&action=session.get`);
    expect(bySession.body.audit).toHaveLength(1);
    expect(bySession.body.audit[0]).toMatchObject({ session: alphaSession, action: 'session.get', principal: { kind: 'admin' } });
    const future = await admin.request('GET', `/v1/audit?from=${new Date(Date.now() + 3_600_000).toISOString()}`);
    expect(future.body).toEqual({ audit: [], nextCursor: null });
    const beforeAll = await admin.request('GET', '/v1/audit?to=2000-01-01');
    expect(beforeAll.body.audit).toEqual([]);
    const betaRows = await admin.request('GET', '/v1/audit?team=beta');
    expect((betaRows.body.audit as Array<{ subjectTeam: string }>).every((r) => r.subjectTeam === 'beta')).toBe(true);
  });

  it('answers 400 naming the parameter that is wrong', async () => {
    const cases: Array<[Api, string, RegExp]> = [
      [admin, '/v1/audit?from=yesterday', /"from" must be an ISO 8601/],
      [admin, '/v1/audit?from=2026-12-02&to=2026-12-01', /"from" .* must be before "to"/],
      [admin, '/v1/audit?session=abc', /"session" must be a session id/],
      [admin, '/v1/audit?action=session.delete', /"action" must be one of session.create/],
      [admin, '/v1/audit?limit=0', /"limit" must be an integer from 1 to 500/],
      [admin, '/v1/audit?cursor=bogus', /"cursor" is not a cursor/],
      [admin, '/v1/audit?team=nobody', /there is no team "nobody"/],
      [admin, '/v1/audit?limit=1&limit=2', /"limit" is given twice/],
      [alpha, '/v1/audit?team=beta', /unknown query parameter "team" \(a team token sees its own team's audit rows only\)/],
      [alpha, '/v1/audit?verbose=1', /unknown query parameter "verbose"/],
    ];
    for (const [api, path, message] of cases) {
      const res = await api.request('GET', path);
      expect({ path, status: res.status, code: res.body.error.code }).toEqual({ path, status: 400, code: expect.stringMatching(/^(invalid_query|unknown_team)$/) });
      expect(res.body.error.message).toMatch(message);
    }
  });
});
