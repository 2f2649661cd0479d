/**
 * The check of a session's sandbox before a turn (SandboxKeeper.check), against a real harness
 * server over HTTP: one round trip for a sandbox that is alive, ours and idle; a stale turn still
 * running there is aborted and waited for; the driver's own check (an API) comes before the
 * token is sent anywhere; each failure says what is wrong.
 */
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { HarnessClient } from '../../../harnesses/protocol/client.ts';
import { createHarnessServer, type HarnessServer } from '../../../harnesses/protocol/server.ts';
import type { HarnessEvent } from '../../../harnesses/protocol/types.ts';
import type { SandboxBinding, SandboxDriver } from '../../../runtime/drivers/sandbox-driver.ts';
import { SandboxKeeper } from '../../../runtime/executor/sandboxes.ts';
import { silentLogger } from '../../../runtime/log.ts';
import { RuntimeMetrics } from '../../../runtime/metrics.ts';

const TOKEN = 'check-token-check-token-check-token';

/** A harness whose turns stream one status, then wait until aborted (or, `deaf`, ignore the abort). */
async function startHarness(options: { deaf?: boolean } = {}) {
  const requests: string[] = [];
  const harness: HarnessServer = createHarnessServer({
    harness: 'check',
    token: TOKEN,
    // deaf: longer than the check waits (3 s), so the sandbox stays busy past it
    abortGraceMs: options.deaf ? 6_000 : 2_000,
    log: () => undefined,
    async *handleTurn(_request, { signal }): AsyncIterable<HarnessEvent> {
      yield { type: 'status', message: 'working' };
      await new Promise<void>((resolve) => {
        if (!options.deaf) signal.addEventListener('abort', () => resolve(), { once: true });
      });
    },
  });
  harness.server.on('request', (req) => requests.push(`${req.method} ${req.url}`));
  const address = await harness.listen(0, '127.0.0.1');
  const binding: SandboxBinding = { driver: 'local', sandboxId: `sb-${address.port}`, sandboxName: '1', namespace: 'team-t', endpoint: `http://127.0.0.1:${address.port}`, token: TOKEN };
  return { harness, binding, requests };
}

/**
 * A driver whose isAlive answers `alive` and is counted; `harnessAnswerOnly`: like the local
 * driver, its liveness is nothing but the harness's answer (holdsIncarnation has nothing to ask).
 */
function driverOf(alive: boolean, harnessAnswerOnly: boolean) {
  const calls: string[] = [];
  const driver: SandboxDriver = {
    name: 'local',
    ...(harnessAnswerOnly ? { holdsIncarnation: () => Promise.resolve(true) } : {}),
    acquire: () => Promise.reject(new Error('not in this test')),
    isAlive: async (binding) => {
      calls.push(binding.sandboxId);
      return alive;
    },
    release: async () => undefined,
    close: async () => undefined,
  };
  return { driver, calls };
}

const keeperWith = (driver: SandboxDriver) => new SandboxKeeper(undefined as unknown as pg.Pool, driver, new RuntimeMetrics({ defaultMetrics: false }), silentLogger);
const signal = new AbortController().signal;

const harnesses: HarnessServer[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

describe('SandboxKeeper.check', () => {
  it('takes one round trip for an idle sandbox of a driver whose liveness is the harness\'s answer', async () => {
    const { harness, binding, requests } = await startHarness();
    harnesses.push(harness);
    const { driver, calls } = driverOf(true, true);
    expect(await keeperWith(driver).check(binding, signal)).toEqual({ ok: true });
    expect(requests).toEqual(['POST /v1/abort']);
    expect(calls).toEqual([]);
  });

  it('asks a driver with its own check first, once per process, before the token goes to the sandbox', async () => {
    const { harness, binding, requests } = await startHarness();
    harnesses.push(harness);
    const { driver, calls } = driverOf(true, false);
    const keeper = keeperWith(driver);
    expect(await keeper.check(binding, signal)).toEqual({ ok: true });
    expect(await keeper.check(binding, signal)).toEqual({ ok: true });
    expect(calls).toEqual([binding.sandboxId]);
    expect(requests).toEqual(['POST /v1/abort', 'POST /v1/abort']);

    const gone = driverOf(false, false);
    expect(await keeperWith(gone.driver).check(binding, signal)).toEqual({ ok: false, reason: 'the sandbox no longer exists' });
    // nothing reached the harness: the token was not sent to whatever answers there now
    expect(requests).toHaveLength(2);
  });

  it("asks a driver's own word without its harness call (holdsIncarnation) when it has one: the abort is the one harness call", async () => {
    const { harness, binding, requests } = await startHarness();
    harnesses.push(harness);
    const asked: string[] = [];
    const withOwnWord = (holds: boolean): SandboxDriver => ({
      ...driverOf(true, false).driver,
      isAlive: () => Promise.reject(new Error('isAlive would call the harness a second time')),
      holdsIncarnation: async (b) => {
        asked.push(b.sandboxId);
        return holds;
      },
    });
    expect(await keeperWith(withOwnWord(true)).check(binding, signal)).toEqual({ ok: true });
    expect(asked).toEqual([binding.sandboxId]);
    expect(requests).toEqual(['POST /v1/abort']);
    expect(await keeperWith(withOwnWord(false)).check(binding, signal)).toEqual({ ok: false, reason: 'the sandbox no longer exists' });
    expect(requests).toEqual(['POST /v1/abort']);
  });

  it('aborts a stale turn still running there and waits until the sandbox is idle', async () => {
    const { harness, binding, requests } = await startHarness();
    harnesses.push(harness);
    // a turn that a previous runtime process started and still holds the stream of
    const stale = (async () => {
      const events: string[] = [];
      for await (const event of new HarnessClient(binding.endpoint, TOKEN).turn({ sessionId: 's', turn: 1, input: 'x', history: [] })) events.push(event.type === 'done' ? `done:${event.stopReason}` : event.type);
      return events;
    })();
    await expect.poll(async () => (await new HarnessClient(binding.endpoint, TOKEN).status()).busy).toBe(true);
    requests.length = 0;
    expect(await keeperWith(driverOf(true, true).driver).check(binding, signal)).toEqual({ ok: true });
    // the abort, then status until idle (at least once)
    expect(requests[0]).toBe('POST /v1/abort');
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests.slice(1).every((r) => r === 'GET /v1/status')).toBe(true);
    expect(await stale).toEqual(['status', 'done:aborted']);
    expect((await new HarnessClient(binding.endpoint, TOKEN).status()).busy).toBe(false);
  });

  it('says why a sandbox cannot take the turn: stuck, another token, no answer', async () => {
    const deaf = await startHarness({ deaf: true });
    harnesses.push(deaf.harness);
    void (async () => {
      for await (const _ of new HarnessClient(deaf.binding.endpoint, TOKEN).turn({ sessionId: 's', turn: 1, input: 'x', history: [] })) void _;
    })().catch(() => undefined);
    await expect.poll(async () => (await new HarnessClient(deaf.binding.endpoint, TOKEN).status()).busy).toBe(true);
    const keeper = keeperWith(driverOf(true, true).driver);
    expect(await keeper.check(deaf.binding, signal)).toEqual({ ok: false, reason: 'the sandbox is stuck on an earlier turn' });

    const idle = await startHarness();
    harnesses.push(idle.harness);
    expect(await keeper.check({ ...idle.binding, token: 'another-token-another-token-another' }, signal)).toEqual({ ok: false, reason: 'the sandbox no longer accepts this session\'s token (it was replaced)' });
    const port = Number(new URL(idle.binding.endpoint).port);
    await idle.harness.close();
    harnesses.pop();
    expect(await keeper.check({ ...idle.binding, endpoint: `http://127.0.0.1:${port}` }, signal)).toEqual({ ok: false, reason: 'the sandbox does not answer' });
  }, 20_000);
});
