/**
 * The harness conformance suite: one set of checks every harness must pass, parameterised by a
 * ConformanceProfile (profile.ts). It starts the harness the way dev mode does (launch.ts) and
 * talks to it over real HTTP, exactly as the runtime would:
 *
 * - health: `/healthz` answers unauthenticated, with the protocol and the harness name;
 * - the per-sandbox token: 401 without it or with a wrong one; bind-once (204, then 409);
 * - a simple turn: events, then exactly one `done {stopReason:"end_turn"}` and nothing after;
 * - deltas in order: SSE ids 1, 2, 3, … and the deltas concatenate to the expected reply;
 * - a tool call round trip: `tool_call` then `tool_result` with the same id, then the reply;
 * - abort mid-turn: 409 busy for a second turn meanwhile, `202` on abort, `done aborted`, the
 *   agent's work really stopped, and the harness serves the next turn;
 * - continuity: a second turn depends on the first, in the same sandbox and, from the handed
 *   history, in a fresh one;
 * - failures: an agent error is `error` then `done error`; a crash ends the turn promptly (never
 *   a hang), reported as `error` then `done error` by adapters that outlive their agent;
 * - an invalid body is a 400.
 *
 * Use it from a test file: `describeConformance(profile)` (see test/harnesses/conformance-*.test.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARNESS_PROTOCOL, type HarnessEvent, type HealthResponse, type HistoryMessage, type TurnRequest } from '../protocol/types.ts';
import { launchHarness, type LaunchedHarness } from './launch.ts';
import type { ConformanceProfile } from './profile.ts';
import { eventsOf, observeTurn, type ObservedTurn } from './turn.ts';

const newToken = () => randomBytes(24).toString('hex');

async function call(url: string, method: string, path: string, options: { token?: string; body?: unknown; raw?: string } = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body !== undefined || options.raw !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(options.raw !== undefined ? { body: options.raw } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

function expectSingleDone(turn: ObservedTurn, stopReason: 'end_turn' | 'aborted' | 'error'): void {
  expect(turn.status, `turn answered ${turn.status}: ${JSON.stringify(turn.error)}`).toBe(200);
  expect(turn.ending, 'the stream must end with a done event').toBe('done');
  expect(turn.afterDone, 'nothing may follow done').toBe(0);
  expect(turn.events.filter((e) => e.event.type === 'done')).toHaveLength(1);
  expect(turn.events.at(-1)?.event.type).toBe('done');
  expect(turn.done?.stopReason, `events: ${JSON.stringify(eventsOf(turn))}`).toBe(stopReason);
}

function describeEvents(events: readonly HarnessEvent[]): string {
  return events.map((e) => (e.type === 'text_delta' ? JSON.stringify(e.text) : e.type === 'error' ? `error(${e.code}: ${e.message})` : e.type === 'done' ? `done(${e.stopReason})` : e.type)).join(' ');
}

export function describeConformance(profile: ConformanceProfile): void {
  const deadline = profile.turnDeadlineMs;
  const launched: LaunchedHarness[] = [];
  const token = newToken();
  let main: LaunchedHarness;

  async function launch(bound: boolean): Promise<LaunchedHarness> {
    const env = { ...profile.sandboxEnv(), ...(bound ? { PADDOCK_SANDBOX_TOKEN: token } : { PADDOCK_SANDBOX_TOKEN: undefined }) };
    const harness = await launchHarness(profile.harness, { env });
    launched.push(harness);
    return harness;
  }

  const turn = (sessionId: string, n: number, input: string, history: readonly HistoryMessage[] = []): TurnRequest => ({ sessionId, turn: n, input, history: [...history] });
  const run = (harness: LaunchedHarness, request: TurnRequest, onEvent?: (event: HarnessEvent) => void) => observeTurn(harness.url, request, { token, deadlineMs: deadline, ...(onEvent ? { onEvent } : {}) });

  let simple: Promise<ObservedTurn> | undefined;
  const simpleTurn = () => (simple ??= run(main, turn(`conf-${randomUUID()}`, 1, profile.inputs.simple)));

  describe(`harness conformance: ${profile.harness}`, () => {
    beforeAll(async () => {
      main = await launch(true);
    }, 60_000);

    afterAll(async () => {
      await Promise.all(launched.map((h) => h.stop()));
    }, 30_000);

    it('answers /healthz without a token, naming its protocol and harness', async () => {
      const { status, body } = await call(main.url, 'GET', '/healthz');
      expect(status).toBe(200);
      expect(body).toEqual({ status: 'ok', protocol: HARNESS_PROTOCOL, harness: profile.harness, bound: true, busy: false } satisfies HealthResponse);
    });

    it('refuses every /v1 call without the sandbox token or with a wrong one (401)', async () => {
      const request = turn('conf-auth', 1, profile.inputs.simple);
      for (const presented of [undefined, newToken(), `${token}x`]) {
        const answer = await call(main.url, 'POST', '/v1/turns', { ...(presented ? { token: presented } : {}), body: request });
        expect(answer.status, `token ${presented === undefined ? 'missing' : 'wrong'}`).toBe(401);
        expect((answer.body as { error: { code: string } }).error.code).toBe('unauthorized');
        expect((await call(main.url, 'POST', '/v1/abort', { ...(presented ? { token: presented } : {}), body: {} })).status).toBe(401);
      }
      expect((await call(main.url, 'GET', '/v1/status', { token })).status).toBe(200);
      expect((await call(main.url, 'POST', '/v1/bind', { body: { token: newToken() } })).status, 'a harness started with a token is bound').toBe(409);
    });

    it('binds a sandbox token exactly once (unbound 401, bind 204, rebind 409)', async () => {
      const unbound = await launch(false);
      const other = newToken();
      expect((await call(unbound.url, 'GET', '/healthz')).body).toMatchObject({ bound: false });
      expect((await call(unbound.url, 'GET', '/v1/status', { token: other })).status).toBe(401);
      expect((await call(unbound.url, 'POST', '/v1/turns', { token: other, body: turn('conf-bind', 1, profile.inputs.simple) })).status).toBe(401);
      expect((await call(unbound.url, 'POST', '/v1/bind', { body: { token: 'short' } })).status).toBe(400);
      expect((await call(unbound.url, 'POST', '/v1/bind', { body: { token: other } })).status).toBe(204);
      expect((await call(unbound.url, 'GET', '/healthz')).body).toMatchObject({ bound: true });
      expect((await call(unbound.url, 'GET', '/v1/status', { token: other })).status).toBe(200);
      expect((await call(unbound.url, 'GET', '/v1/status', { token })).status).toBe(401);
      const rebind = await call(unbound.url, 'POST', '/v1/bind', { body: { token } });
      expect(rebind.status).toBe(409);
      expect((rebind.body as { error: { code: string } }).error.code).toBe('already_bound');
      expect((await call(unbound.url, 'GET', '/v1/status', { token })).status, 'the first token stays the only one').toBe(401);
      await unbound.stop();
    }, 60_000);

    it('runs a simple turn that ends with exactly one done {end_turn}', async () => {
      const observed = await simpleTurn();
      expectSingleDone(observed, 'end_turn');
      expect(observed.text).toBe(profile.inputs.expectedReply(profile.inputs.simple, 1, 0));
      const usage = observed.done?.usage;
      if (usage) expect(usage.outputTokens).toBeGreaterThan(0);
    }, deadline + 5_000);

    it('streams its deltas in order, with SSE ids 1, 2, 3, …', async () => {
      const observed = await simpleTurn();
      expect(observed.events.map((e) => e.id)).toEqual(observed.events.map((_, i) => String(i + 1)));
      const deltas = eventsOf(observed).filter((e) => e.type === 'text_delta');
      expect(deltas.length).toBeGreaterThanOrEqual(profile.minDeltas);
      expect(deltas.map((d) => (d.type === 'text_delta' ? d.text : '')).join('')).toBe(profile.inputs.expectedReply(profile.inputs.simple, 1, 0));
    }, deadline + 5_000);

    it('round-trips a tool call: tool_call, then tool_result with the same id, then the reply', async () => {
      const observed = await run(main, turn(`conf-${randomUUID()}`, 1, profile.inputs.tool));
      expectSingleDone(observed, 'end_turn');
      const events = eventsOf(observed);
      const callIndex = events.findIndex((e) => e.type === 'tool_call');
      expect(callIndex, describeEvents(events)).toBeGreaterThanOrEqual(0);
      const call = events[callIndex] as Extract<HarnessEvent, { type: 'tool_call' }>;
      expect(call.name).not.toBe('');
      const resultIndex = events.findIndex((e) => e.type === 'tool_result' && e.id === call.id);
      expect(resultIndex, describeEvents(events)).toBeGreaterThan(callIndex);
      const result = events[resultIndex] as Extract<HarnessEvent, { type: 'tool_result' }>;
      expect(result.isError).toBe(false);
      expect(result.output).toContain(profile.inputs.toolOutput);
      expect(observed.text).toContain(profile.inputs.toolOutput);
    }, deadline + 5_000);

    it('aborts a running turn: 409 busy meanwhile, 202, done {aborted}, work stopped, ready again', async () => {
      const sessionId = `conf-${randomUUID()}`;
      let firstEvent: () => void = () => undefined;
      const started = new Promise<void>((resolve) => (firstEvent = resolve));
      const hanging = run(main, turn(sessionId, 1, profile.inputs.hang), () => firstEvent());
      await started;
      await profile.waitUntilWorking?.();
      expect((await call(main.url, 'GET', '/healthz')).body).toMatchObject({ busy: true });
      expect((await call(main.url, 'GET', '/v1/status', { token })).body).toMatchObject({ busy: true, turn: { sessionId, turn: 1 } });
      const second = await call(main.url, 'POST', '/v1/turns', { token, body: turn(`conf-${randomUUID()}`, 1, profile.inputs.simple) });
      expect(second.status).toBe(409);
      expect((second.body as { error: { code: string } }).error.code).toBe('busy');
      expect((await call(main.url, 'POST', '/v1/abort', { token, body: { sessionId, turn: 2 } })).status, 'abort of another turn matches nothing').toBe(204);
      const abortedAt = Date.now();
      expect((await call(main.url, 'POST', '/v1/abort', { token, body: { sessionId, turn: 1 } })).status).toBe(202);
      const observed = await hanging;
      expectSingleDone(observed, 'aborted');
      expect(Date.now() - abortedAt, 'an abort ends the turn within the 2 s grace (plus slack)').toBeLessThan(5_000);
      await profile.waitUntilStopped?.();
      expect((await call(main.url, 'GET', '/healthz')).body).toMatchObject({ busy: false });
      expect((await call(main.url, 'POST', '/v1/abort', { token })).status, 'nothing runs any more').toBe(204);
      const next = await run(main, turn(sessionId, 2, profile.inputs.simple, [{ role: 'user', text: profile.inputs.hang }]));
      expectSingleDone(next, 'end_turn');
    }, 2 * deadline + 10_000);

    it('continues a conversation: the second turn depends on the first', async () => {
      const sessionId = `conf-${randomUUID()}`;
      const word = `WORD${randomBytes(3).toString('hex').toUpperCase()}`;
      const first = await run(main, turn(sessionId, 1, profile.inputs.remember(word)));
      expectSingleDone(first, 'end_turn');
      const history: HistoryMessage[] = [
        { role: 'user', text: profile.inputs.remember(word) },
        { role: 'assistant', text: first.text },
      ];
      const second = await run(main, turn(sessionId, 2, profile.inputs.recall, history));
      expectSingleDone(second, 'end_turn');
      expect(second.text).toContain(word);
    }, 2 * deadline + 5_000);

    it('continues from the handed history in a fresh sandbox', async () => {
      const fresh = await launch(true);
      const word = `WORD${randomBytes(3).toString('hex').toUpperCase()}`;
      const history: HistoryMessage[] = [
        { role: 'user', text: profile.inputs.remember(word) },
        { role: 'assistant', text: `I will remember ${word}.` },
        { role: 'user', text: 'Thanks.' },
        { role: 'assistant', text: 'You are welcome.' },
      ];
      const observed = await run(fresh, turn(`conf-${randomUUID()}`, 3, profile.inputs.recall, history));
      expectSingleDone(observed, 'end_turn');
      expect(observed.text).toContain(word);
      await fresh.stop();
    }, deadline + 60_000);

    it('reports an agent failure as an error event, then done {error}', async () => {
      const observed = await run(main, turn(`conf-${randomUUID()}`, 1, profile.inputs.error));
      expectSingleDone(observed, 'error');
      const events = eventsOf(observed);
      const error = events.at(-2);
      expect(error?.type, describeEvents(events)).toBe('error');
      if (error?.type === 'error') {
        expect(error.code).not.toBe('');
        expect(error.message).not.toBe('');
      }
    }, deadline + 5_000);

    it('ends a turn whose agent crashes promptly: never a hang', async () => {
      const target = profile.crash === 'harness-exits' ? await launch(true) : main;
      const observed = await run(target, turn(`conf-${randomUUID()}`, 1, profile.inputs.crash));
      const events = eventsOf(observed);
      if (profile.crash === 'reported') {
        expectSingleDone(observed, 'error');
        const error = events.at(-2);
        expect(error?.type, describeEvents(events)).toBe('error');
        // the adapter outlived its agent and serves the next turn
        expectSingleDone(await run(main, turn(`conf-${randomUUID()}`, 1, profile.inputs.simple)), 'end_turn');
      } else {
        expect(observed.ending, 'the harness died with its agent: the stream closes without done').toBe('closed');
        const exit = await Promise.race([target.exited, sleep(10_000).then(() => 'still running' as const)]);
        expect(exit).not.toBe('still running');
      }
    }, 2 * deadline + 10_000);

    it('rejects an invalid turn body with 400 naming the field', async () => {
      const answer = await call(main.url, 'POST', '/v1/turns', { token, body: { sessionId: 's', turn: 0, input: 'x', history: [] } });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain('turn');
      expect((await call(main.url, 'POST', '/v1/turns', { token, raw: '{not json' })).status).toBe(400);
    });
  });
}
