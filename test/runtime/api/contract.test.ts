/** The HTTP API as issue 4 specifies it, against real Postgres and real harness processes. */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pgClient from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHarnessRegistry } from '../../../harnesses/registry.ts';
import { LocalDriver } from '../../../runtime/drivers/local/local-driver.ts';
import { silentLogger } from '../../../runtime/log.ts';
import { createSession } from '../../../runtime/store/sessions.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, tempDir, textOf, TOKENS, type TestRuntime } from '../support/runtime.ts';

let pg: TestPostgres;
let rt: TestRuntime;
let alpha: Api;
let admin: Api;
beforeAll(async () => {
  pg = await startTestPostgres();
  rt = await startTestRuntime(await pg.createDatabase());
  alpha = new Api(rt.url, TOKENS.alpha);
  admin = new Api(rt.url, TOKENS.admin);
});
afterAll(async () => {
  await rt?.close();
  await pg?.stop();
});

describe('probes and metrics', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect(await (await fetch(`${rt.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${rt.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves Prometheus text with sessions by state, turns, events, claim latency and DB errors', async () => {
    const id = await alpha.createSession();
    await alpha.waitForDone(id, await alpha.send(id, 'count me'));
    const res = await fetch(`${rt.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^paddock_sessions\{state="active"\} [1-9]\d*$/m);
    expect(text).toMatch(/^paddock_turns_total\{team="alpha",harness="scripted",outcome="completed"\} [1-9]\d*$/m);
    expect(text).toMatch(/^paddock_events_total [1-9]\d*$/m);
    expect(text).toMatch(/^paddock_sandbox_claim_seconds_count\{team="alpha",driver="local"\} [1-9]\d*$/m);
    expect(text).toMatch(/^# TYPE paddock_db_errors_total counter$/m);
    expect(text).toMatch(/^paddock_ready 1$/m);
  });
});

describe('authentication', () => {
  it('requires a bearer token on /v1 and rejects unknown ones', async () => {
    const none = await fetch(`${rt.url}/v1/sessions`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.json()).toEqual({ error: { code: 'unauthorized', message: 'missing "Authorization: Bearer <token>"' } });
    const wrong = await new Api(rt.url, 'pdk_not-a-real-token-at-all-0000000000000').request('GET', '/v1/sessions');
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'unauthorized', message: 'invalid API token' } } });
  });

  it('tells a client that sent its token without the Bearer scheme to add it', async () => {
    const bare = await fetch(`${rt.url}/v1/sessions`, { headers: { authorization: TOKENS.alpha } });
    expect(bare.status).toBe(401);
    expect(await bare.json()).toEqual({ error: { code: 'unauthorized', message: 'the Authorization header has no scheme: send "Authorization: Bearer <token>" (the word Bearer, a space, then the token)' } });
  });
});

describe('sessions', () => {
  it('creates a session for the token\'s team (201, Location) and reads it back', async () => {
    const res = await alpha.request('POST', '/v1/sessions', { harness: 'scripted', title: 'first' });
    expect(res.status).toBe(201);
    const session = res.body.session;
    expect(session).toMatchObject({ team: 'alpha', harness: 'scripted', title: 'first', state: 'active', error: null, turns: 0, lastSeq: 0, endedAt: null });
    expect(res.headers.get('location')).toBe(`/v1/sessions/${session.id}`);
    const got = await alpha.request('GET', `/v1/sessions/${session.id}`);
    expect(got.body.session).toEqual({ ...session, activeTurn: null });
  });

  it('lists the caller\'s sessions newest first, with a cursor', async () => {
    const ids = [await alpha.createSession('scripted', 'p1'), await alpha.createSession('scripted', 'p2'), await alpha.createSession('scripted', 'p3')];
    const page1 = await alpha.request('GET', '/v1/sessions?limit=2');
    expect(page1.body.sessions.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    const page2 = await alpha.request('GET', `/v1/sessions?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.sessions[0].id).toBe(ids[0]);
    expect(page2.body.sessions.every((s: { team: string }) => s.team === 'alpha')).toBe(true);
  });

  it('lets the admin create for a named team and list every team', async () => {
    const res = await admin.request('POST', '/v1/sessions', { team: 'beta', harness: 'scripted' });
    expect(res.status).toBe(201);
    expect(res.body.session.team).toBe('beta');
    const all = await admin.request('GET', '/v1/sessions?limit=200');
    expect(new Set(all.body.sessions.map((s: { team: string }) => s.team))).toEqual(new Set(['alpha', 'beta']));
    const onlyBeta = await admin.request('GET', '/v1/sessions?team=beta');
    expect(onlyBeta.body.sessions.every((s: { team: string }) => s.team === 'beta')).toBe(true);
    const noTeam = await admin.request('POST', '/v1/sessions', { harness: 'scripted' });
    expect(noTeam).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', message: expect.stringMatching(/^team: /) } } });
  });

  it('ends a session with DELETE: its sandbox is released, the log closes, new messages are refused', async () => {
    const id = await alpha.createSession();
    await alpha.waitForDone(id, await alpha.send(id, 'hi'));
    const pidsBefore = rt.driver.pids.length;
    const res = await alpha.request('DELETE', `/v1/sessions/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.session).toMatchObject({ state: 'ended', endedAt: expect.any(String) });
    for (let i = 0; i < 100 && rt.driver.pids.length >= pidsBefore; i++) await new Promise((r) => setTimeout(r, 30));
    expect(rt.driver.pids.length).toBe(pidsBefore - 1);
    const stream = await alpha.sse(id, { after: 0 });
    expect(stream.ended).toBe(true);
    expect(stream.events.at(-1)).toMatchObject({ type: 'session_ended', state: 'ended' });
    expect(await alpha.request('POST', `/v1/sessions/${id}/messages`, { text: 'late' })).toMatchObject({ status: 409, body: { error: { code: 'session_not_active' } } });
    expect((await alpha.request('DELETE', `/v1/sessions/${id}`)).status).toBe(200);
  });
});

describe('messages and events', () => {
  it('accepts a message with 202 {turn} and records it before any harness call', async () => {
    const id = await alpha.createSession();
    const res = await alpha.request('POST', `/v1/sessions/${id}/messages`, { text: 'hello there' });
    expect(res.status).toBe(202);
    // an idle replica claims the turn in the commit that stores the message
    expect(res.body.turn).toMatchObject({ sessionId: id, number: 1, state: 'running', messageSeq: 1 });
    const events = await alpha.waitForDone(id, 1);
    expect(events[0]).toMatchObject({ seq: 1, turn: 1, type: 'user_message', text: 'hello there' });
    expect(events.map((e) => e.type)).toEqual(['user_message', 'sandbox', 'turn_started', 'status', ...Array(9).fill('text_delta'), 'done']);
    expect(textOf(events)).toBe('I heard: hello there (turn 1, 0 history messages)');
  });

  it('dispatches a message for a sandbox that just finished a turn in the same commit that stores it', async () => {
    const id = await alpha.createSession();
    await alpha.waitForDone(id, await alpha.send(id, 'first'));
    const res = await alpha.request('POST', `/v1/sessions/${id}/messages`, { text: 'second' });
    expect(res.status).toBe(202);
    expect(res.body.turn).toMatchObject({ number: 2, state: 'running' });
    const events = await alpha.waitForDone(id, 2);
    const [message, started] = events;
    expect(message).toMatchObject({ type: 'user_message', text: 'second' });
    // one transaction: consecutive seqs, the same commit timestamp, no sandbox check in between
    expect(started).toEqual({ seq: message.seq + 1, turn: 2, type: 'turn_started', attempt: 1, sandboxGeneration: 1, createdAt: message.createdAt });
    expect(textOf(events)).toBe('I heard: second (turn 2, 2 history messages)');
  });

  it('runs queued turns in order, each with the history before it', async () => {
    const id = await alpha.createSession();
    const turns = [await alpha.send(id, 'one'), await alpha.send(id, 'two'), await alpha.send(id, 'three')];
    expect(turns).toEqual([1, 2, 3]);
    await alpha.waitForDone(id, 3);
    const all = await alpha.events(id);
    for (const [i, n] of turns.entries()) expect(textOf(all.filter((e) => e.turn === n))).toBe(`I heard: ${['one', 'two', 'three'][i]} (turn ${n}, ${i * 2} history messages)`);
    const dones = all.filter((e) => e.type === 'done').map((e) => e.turn);
    expect(dones).toEqual([1, 2, 3]);
  });

  it('pages events with after/limit and streams them as SSE from after or Last-Event-ID', async () => {
    const id = await alpha.createSession();
    await alpha.waitForDone(id, await alpha.send(id, '/tool look around'));
    const all = await alpha.events(id);
    expect(all.map((e) => e.type)).toEqual(expect.arrayContaining(['tool_call', 'tool_result']));
    const page = await alpha.request('GET', `/v1/sessions/${id}/events?after=2&limit=3`);
    expect(page.body.events.map((e: { seq: number }) => e.seq)).toEqual([3, 4, 5]);
    expect(page.body).toMatchObject({ nextAfter: 5, hasMore: true, session: { state: 'active', lastSeq: all.length } });

    const replay = await alpha.sse(id, { after: 4, until: (e) => e.type === 'done' });
    expect(replay.events).toEqual(all.filter((e) => e.seq > 4));
    expect(replay.ids).toEqual(all.filter((e) => e.seq > 4).map((e) => String(e.seq)));
    const resumed = await alpha.sse(id, { lastEventId: String(all.length - 2), until: (e) => e.type === 'done' });
    expect(resumed.events).toEqual(all.slice(-2));
  });

  it('streams live: replay, then events as the agent produces them, each already stored', async () => {
    const id = await alpha.createSession();
    const streaming = alpha.sse(id, { until: (e) => e.type === 'done' });
    await new Promise((r) => setTimeout(r, 200));
    await alpha.send(id, '/slow 30 live words arrive one by one');
    const result = await streaming;
    expect(result.events.map((e) => e.seq)).toEqual(result.events.map((_, i) => i + 1));
    const stored = await alpha.events(id);
    expect(stored.slice(0, result.events.length)).toEqual(result.events);
    expect(textOf(result.events)).toBe('I heard: live words arrive one by one (turn 1, 0 history messages)');
  });

  it('aborts the running turn and the queued ones', async () => {
    const id = await alpha.createSession();
    const hanging = await alpha.send(id, '/hang');
    const queued = await alpha.send(id, 'never runs');
    await alpha.sse(id, { until: (e) => e.type === 'status' && /hanging/.test(e.message) });
    const res = await alpha.request('POST', `/v1/sessions/${id}/abort`);
    expect(res).toMatchObject({ status: 202, body: { aborted: { running: hanging, queued: [queued] } } });
    const events = await alpha.waitForDone(id, hanging);
    expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: 'aborted' });
    const all = await alpha.events(id);
    expect(all.filter((e) => e.turn === queued)).toEqual([expect.objectContaining({ type: 'user_message' }), expect.objectContaining({ type: 'done', stopReason: 'aborted' })]);
    // the aborted turn's input is history (the agent saw it); it answered nothing
    const next = await alpha.waitForDone(id, await alpha.send(id, 'after abort'));
    expect(textOf(next)).toBe('I heard: after abort (turn 3, 1 history messages)');
    expect((await alpha.request('POST', `/v1/sessions/${id}/abort`, {})).body).toEqual({ aborted: { running: null, queued: [] } });
  });

  it('records a harness error as a failed turn and keeps the session usable', async () => {
    const id = await alpha.createSession();
    const events = await alpha.waitForDone(id, await alpha.send(id, '/error'));
    expect(events.slice(-2)).toEqual([expect.objectContaining({ type: 'error', code: 'scripted_error' }), expect.objectContaining({ type: 'done', stopReason: 'error' })]);
    const session = await alpha.request('GET', `/v1/sessions/${id}`);
    expect(session.body.session.state).toBe('active');
  });

  describe('a declared harness this runtime cannot run (its CLI is not installed)', () => {
    // harnesses from an empty folder: no CLI next to any adapter, whatever this machine installed
    let bare: TestRuntime;
    let bareAlpha: Api;
    let bareDatabase: string;
    let harnessesDir: string;
    beforeAll(async () => {
      harnessesDir = tempDir('no-clis');
      bareDatabase = await pg.createDatabase();
      const driver = new LocalDriver({ registry: loadHarnessRegistry(), harnessesDir, workDir: tempDir('sandboxes'), modelGatewayUrl: 'http://127.0.0.1:9', log: silentLogger, env: { PATH: dirname(process.execPath) } });
      bare = await startTestRuntime(bareDatabase, { driver });
      bareAlpha = new Api(bare.url, TOKENS.alpha);
    });
    afterAll(async () => {
      await bare?.close();
      rmSync(harnessesDir, { recursive: true, force: true });
    });

    it('refuses a new session for it with 422 harness_unavailable, saying what to do, and creates nothing', async () => {
      const res = await bareAlpha.request('POST', '/v1/sessions', { harness: 'claude-code', title: 'never made' });
      expect(res).toEqual({
        status: 422,
        body: { error: { code: 'harness_unavailable', message: `harness "claude-code" needs "claude", found neither in ${join(harnessesDir, 'claude-code', 'node_modules', '.bin')} nor on PATH; run "scripts/install-harness-clis.sh claude-code" (or put it on PATH) and restart, or use the "scripted" harness` } },
        headers: expect.anything(),
      });
      expect((await bareAlpha.request('GET', '/v1/sessions')).body.sessions).toEqual([]);
    });

    it('fails a session made before the CLI went missing at its next turn, saying why', async () => {
      const db = new pgClient.Pool({ connectionString: bareDatabase, max: 1 });
      const { id } = await createSession(db, { team: 'alpha', harness: 'claude-code', title: 'older' }).finally(() => db.end());
      const events = await bareAlpha.waitForDone(id, await bareAlpha.send(id, 'hello'));
      expect(events.slice(-2)).toEqual([
        expect.objectContaining({ type: 'error', code: 'harness_unavailable', retryable: false, message: expect.stringMatching(/^harness "claude-code" needs "claude", found neither in /) }),
        expect.objectContaining({ type: 'done', stopReason: 'error' }),
      ]);
      // the stream ends with the session's end, right after the failed turn
      const stream = await bareAlpha.sse(id, { after: 0 });
      expect(stream.ended).toBe(true);
      expect(stream.events.at(-1)).toMatchObject({ type: 'session_ended', state: 'failed', code: 'harness_unavailable' });
      const session = await bareAlpha.request('GET', `/v1/sessions/${id}`);
      expect(session.body.session).toMatchObject({ state: 'failed', error: { code: 'harness_unavailable', message: expect.stringMatching(/claude-code/) } });
    });
  });
});
