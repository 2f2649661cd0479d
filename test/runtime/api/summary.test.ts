/**
 * GET /v1/sessions/:id/summary against the real runtime: the counts equal what the scripted
 * harness did (tool calls, errors, usage), durations agree with the turns table, and another
 * team's session is a 404 like a missing one.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, TOKENS, type TestRuntime } from '../support/runtime.ts';

let server: TestPostgres;
let rt: TestRuntime;
let db: pg.Pool;
let alpha: Api;
let beta: Api;
let admin: Api;
let session: string;
const usage = { input: 0, output: 0, cost: 0, turns: 0 };

beforeAll(async () => {
  server = await startTestPostgres();
  const url = await server.createDatabase();
  rt = await startTestRuntime(url);
  db = new pg.Pool({ connectionString: url, max: 2 });
  db.on('error', () => undefined);
  alpha = new Api(rt.url, TOKENS.alpha);
  beta = new Api(rt.url, TOKENS.beta);
  admin = new Api(rt.url, TOKENS.admin);
  session = await alpha.createSession();
  for (const text of ['/tool look around', '/tool /error then fail', 'a plain reply', '/tool once more']) {
    const events = await alpha.waitForDone(session, await alpha.send(session, text));
    const done = events.find((e) => e.type === 'done');
    if (done?.usage) {
      usage.input += done.usage.inputTokens;
      usage.output += done.usage.outputTokens;
      usage.cost += done.usage.costUsd ?? 0;
      usage.turns += 1;
    }
  }
}, 60_000);

afterAll(async () => {
  await rt?.close();
  await db?.end();
  await server?.stop();
});

describe('GET /v1/sessions/:id/summary', () => {
  it('counts turns by state, tool calls by tool, errors by code, tokens and sandboxes', async () => {
    const res = await alpha.request('GET', `/v1/sessions/${session}/summary`);
    expect(res.status).toBe(200);
    const summary = res.body.summary;
    const { rows: states } = await db.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM turns WHERE session_id = $1 GROUP BY state', [session]);
    expect(summary.turns).toEqual({ total: 4, byState: Object.fromEntries(states.map((r) => [r.state, r.n])) });
    expect(summary.toolCalls).toEqual({ total: 3, byTool: { echo: 3 } });
    expect(summary.errors.events).toEqual({ scripted_error: 1 });
    expect(summary.session).toMatchObject({ id: session, team: 'alpha', harness: 'scripted', state: 'active', endedAt: null });
    expect(usage.turns).toBeGreaterThan(0);
    expect(summary.tokens).toEqual({ turnsReporting: usage.turns, input: usage.input, output: usage.output, costUsd: expect.closeTo(usage.cost, 9) });
    expect(summary.sandboxes.used).toBeGreaterThanOrEqual(1);
    expect(summary.sandboxes.acquired).toBeGreaterThanOrEqual(1);
    expect(summary.sandboxes.lost).toBe(0);
    // the same tool calls, seen live: the busiest session's count over 5 minutes on /metrics
    const metrics = await (await fetch(`${rt.url}/metrics`)).text();
    expect(metrics).toMatch(/\npaddock_session_tool_calls_5m_max 3\n/);
  });

  it('derives the durations from the turns that ran', async () => {
    const { summary } = (await alpha.request('GET', `/v1/sessions/${session}/summary`)).body;
    const { rows } = await db.query<{ s: number }>('SELECT extract(epoch FROM finished_at - started_at)::float8 AS s FROM turns WHERE session_id = $1 AND started_at IS NOT NULL AND finished_at IS NOT NULL ORDER BY 1', [session]);
    const seconds = rows.map((r) => r.s);
    expect(summary.durations.turns).toBe(seconds.length);
    expect(summary.durations.totalSeconds).toBeCloseTo(seconds.reduce((a, b) => a + b, 0), 6);
    expect(summary.durations.maxSeconds).toBeCloseTo(Math.max(...seconds), 6);
    expect(summary.durations.p50Seconds).toBeGreaterThanOrEqual(Math.min(...seconds));
    expect(summary.durations.p50Seconds).toBeLessThanOrEqual(Math.max(...seconds));
    expect(summary.durations.sessionSeconds).toBeGreaterThanOrEqual(summary.durations.maxSeconds);
  });

  it('answers 404 for another team\'s session, 400 for a bad id or a parameter; the admin sees any', async () => {
    expect((await beta.request('GET', `/v1/sessions/${session}/summary`)).body.error.code).toBe('session_not_found');
    expect((await beta.request('GET', `/v1/sessions/${session}/summary`)).status).toBe(404);
    expect((await alpha.request('GET', '/v1/sessions/00000000-0000-4000-8000-000000000000/summary')).status).toBe(404);
    expect((await alpha.request('GET', '/v1/sessions/not-a-uuid/summary')).body.error).toMatchObject({ code: 'invalid_id' });
    expect((await alpha.request('GET', `/v1/sessions/${session}/summary?full=1`)).body.error.message).toMatch(/unknown query parameter "full"/);
    const asAdmin = await admin.request('GET', `/v1/sessions/${session}/summary`);
    expect(asAdmin.body.summary.toolCalls.total).toBe(3);
  });

  it('has no tokens (null) for a session whose turns reported no usage', async () => {
    const empty = await alpha.createSession();
    const { summary } = (await alpha.request('GET', `/v1/sessions/${empty}/summary`)).body;
    expect(summary).toMatchObject({ turns: { total: 0, byState: {} }, tokens: null, toolCalls: { total: 0, byTool: {} }, durations: { turns: 0, totalSeconds: null, p50Seconds: null, maxSeconds: null }, sandboxes: { used: 0, acquired: 0, lost: 0 } });
  });
});
