/**
 * Usage per team, session and harness (GET /v1/usage) and the per-team usage counters, against
 * real Postgres and real scripted-harness processes: the sums equal what the harnesses reported
 * in their `done` events, a team sees only its own, and a gateway refusal keeps its code.
 */
import pgClient from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageRequest } from '../../../runtime/api/usage.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, TOKENS, type TestRuntime } from '../support/runtime.ts';

let pg: TestPostgres;
let rt: TestRuntime;
let databaseUrl: string;
let alpha: Api;
let beta: Api;
let admin: Api;
const reported = { alpha: { input: 0, output: 0, cost: 0, turns: 0 }, beta: { input: 0, output: 0, cost: 0, turns: 0 } };
const sessions: Record<string, { team: 'alpha' | 'beta'; input: number; output: number; turns: number }> = {};
let before: Date;

/** Runs a turn and adds what its `done` reported to the expected sums. */
async function turn(api: Api, team: 'alpha' | 'beta', sessionId: string, text: string) {
  const events = await api.waitForDone(sessionId, await api.send(sessionId, text));
  const usage = events.find((e) => e.type === 'done')?.usage;
  if (usage) {
    reported[team].input += usage.inputTokens;
    reported[team].output += usage.outputTokens;
    reported[team].cost += usage.costUsd;
    reported[team].turns += 1;
    const s = (sessions[sessionId] ??= { team, input: 0, output: 0, turns: 0 });
    s.input += usage.inputTokens;
    s.output += usage.outputTokens;
    s.turns += 1;
  }
  return events;
}

beforeAll(async () => {
  pg = await startTestPostgres();
  databaseUrl = await pg.createDatabase();
  rt = await startTestRuntime(databaseUrl);
  alpha = new Api(rt.url, TOKENS.alpha);
  beta = new Api(rt.url, TOKENS.beta);
  admin = new Api(rt.url, TOKENS.admin);
  before = new Date(Date.now() - 1000);
  const a1 = await alpha.createSession();
  await turn(alpha, 'alpha', a1, 'hello there');
  await turn(alpha, 'alpha', a1, 'and a second message with more words');
  const a2 = await alpha.createSession();
  await turn(alpha, 'alpha', a2, '/tool list the files');
  const b1 = await beta.createSession();
  await turn(beta, 'beta', b1, 'beta speaks');
}, 60_000);

afterAll(async () => {
  await rt?.close();
  await pg?.stop();
});

describe('GET /v1/usage', () => {
  it('sums what the harnesses reported, per team; a team sees only its own', async () => {
    expect(reported.alpha.turns).toBe(3);
    const res = await alpha.request('GET', '/v1/usage?groupBy=team');
    expect(res.status).toBe(200);
    expect(res.body.usage).toEqual([{ team: 'alpha', turns: 3, inputTokens: reported.alpha.input, outputTokens: reported.alpha.output, costUsd: expect.closeTo(reported.alpha.cost, 9), turnsWithoutCost: 0 }]);
    expect(res.body.team).toBe('alpha');
    expect(res.body.total).toMatchObject({ turns: 3, inputTokens: reported.alpha.input });
    const asBeta = await beta.request('GET', '/v1/usage');
    expect(asBeta.body.usage).toEqual([expect.objectContaining({ team: 'beta', turns: 1, inputTokens: reported.beta.input, outputTokens: reported.beta.output })]);
  });

  it('gives the admin every team, or one team, and groups by session and by harness', async () => {
    const all = await admin.request('GET', '/v1/usage?groupBy=team');
    expect(all.body.usage.map((r: { team: string }) => r.team)).toEqual(['alpha', 'beta']);
    expect(all.body.total.turns).toBe(4);
    const one = await admin.request('GET', '/v1/usage?team=beta');
    expect(one.body.usage).toEqual([expect.objectContaining({ team: 'beta', turns: 1 })]);
    const bySession = await admin.request('GET', '/v1/usage?groupBy=session');
    expect(bySession.body.usage).toHaveLength(3);
    for (const row of bySession.body.usage) {
      const expected = sessions[row.session]!;
      expect(row).toMatchObject({ team: expected.team, turns: expected.turns, inputTokens: expected.input, outputTokens: expected.output });
    }
    const byHarness = await alpha.request('GET', '/v1/usage?groupBy=harness');
    expect(byHarness.body.usage).toEqual([expect.objectContaining({ harness: 'scripted', team: 'alpha', turns: 3 })]);
  });

  it('counts turns by their finish time, from inclusive and to exclusive', async () => {
    const earlier = new Date(before.getTime() - 3_600_000);
    const none = await admin.request('GET', `/v1/usage?from=${earlier.toISOString()}&to=${before.toISOString()}`);
    expect(none.status).toBe(200);
    expect(none.body.usage).toEqual([]);
    expect(none.body.total).toEqual({ turns: 0, inputTokens: 0, outputTokens: 0, costUsd: null, turnsWithoutCost: 0 });
    const dated = await admin.request('GET', `/v1/usage?from=${before.toISOString().slice(0, 10)}&to=2999-01-01T00:00:00%2B02:00`);
    expect(dated.status).toBe(400); // more than a year
    const day = await admin.request('GET', `/v1/usage?from=${before.toISOString().slice(0, 10)}`);
    expect(day.body.total.turns).toBe(4);
  });

  it('refuses bad parameters with a 400 naming the parameter', async () => {
    const cases: [Api, string, RegExp][] = [
      [alpha, '/v1/usage?team=beta', /unknown query parameter "team".*its own team/],
      [alpha, '/v1/usage?from=yesterday', /"from" must be an ISO 8601/],
      [alpha, '/v1/usage?to=2026-12-01T10:00', /"to" must be an ISO 8601/],
      [alpha, '/v1/usage?from=2026-12-02&to=2026-12-01', /"from" \(2026-12-02T00:00:00.000Z\) must be before "to"/],
      [alpha, '/v1/usage?groupBy=model', /"groupBy" must be one of team, session, harness/],
      [alpha, '/v1/usage?groupBy=team&groupBy=session', /"groupBy" is given twice/],
      [admin, '/v1/usage?team=gamma', /no team "gamma"/],
    ];
    for (const [api, path, message] of cases) {
      const res = await api.request('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.message, path).toMatch(message);
    }
    expect((await new Api(rt.url, 'pdk_wrong').request('GET', '/v1/usage')).status).toBe(401);
  });

  it('parses dates and zones as UTC instants', () => {
    const now = new Date('2026-12-04T12:00:00Z');
    const request = usageRequest(new URL('http://x/v1/usage?from=2026-12-01T00:00:00%2B02:00'), { kind: 'admin' }, new Set(), now);
    expect(request.from.toISOString()).toBe('2026-11-30T22:00:00.000Z');
    expect(request.to).toEqual(now);
    expect(usageRequest(new URL('http://x/v1/usage'), { kind: 'team', team: 'alpha' }, new Set(), now)).toMatchObject({ groupBy: 'team', team: 'alpha', from: new Date('2026-11-04T12:00:00Z') });
  });
});

describe('usage with the turn and in metrics', () => {
  it('stores the usage with its turn and counts tokens and cost per team', async () => {
    const client = new pgClient.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ team: string; input: string; output: string; cost: string }>(
        'SELECT s.team, sum(t.input_tokens) AS input, sum(t.output_tokens) AS output, sum(t.cost_usd) AS cost FROM turns t JOIN sessions s ON s.id = t.session_id GROUP BY s.team ORDER BY s.team',
      );
      expect(rows.map((r) => [r.team, Number(r.input), Number(r.output)])).toEqual([
        ['alpha', reported.alpha.input, reported.alpha.output],
        ['beta', reported.beta.input, reported.beta.output],
      ]);
    } finally {
      await client.end();
    }
    const metrics = await (await fetch(`${rt.url}/metrics`)).text();
    expect(metrics).toContain(`paddock_tokens_total{team="alpha",direction="input"} ${reported.alpha.input}`);
    expect(metrics).toContain(`paddock_tokens_total{team="alpha",direction="output"} ${reported.alpha.output}`);
    expect(metrics).toMatch(/paddock_cost_usd_total\{team="beta"\} [0-9.e-]+/);
  });

  it('ends a turn the gateway refused with its code (budget_exceeded, rate_limited), not a generic failure', async () => {
    const id = await alpha.createSession();
    const refused = await alpha.waitForDone(id, await alpha.send(id, '/budget please'));
    expect(refused.find((e) => e.type === 'error')).toMatchObject({ code: 'budget_exceeded' });
    const limited = await alpha.waitForDone(id, await alpha.send(id, '/ratelimit please'));
    expect(limited.find((e) => e.type === 'error')).toMatchObject({ code: 'rate_limited' });
    const client = new pgClient.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ state: string; error_code: string; input_tokens: string | null }>('SELECT state, error_code, input_tokens FROM turns WHERE session_id = $1 ORDER BY turn', [id]);
      expect(rows).toEqual([
        { state: 'failed', error_code: 'budget_exceeded', input_tokens: null },
        { state: 'failed', error_code: 'rate_limited', input_tokens: null },
      ]);
    } finally {
      await client.end();
    }
  });
});
