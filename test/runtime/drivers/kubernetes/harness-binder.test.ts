/** The bind-once step against real harness protocol v1 servers (in-process) and bad peers. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarnessServer, type HarnessServer } from '../../../../harnesses/protocol/server.ts';
import { bindHarness, harnessAnswersAsOurs } from '../../../../runtime/drivers/kubernetes/harness-binder.ts';
import { SandboxError } from '../../../../runtime/drivers/sandbox-driver.ts';
import { freeLoopbackPort } from '../../../support/fake-kube-api/harness-process.ts';

const TOKEN = 't'.repeat(43);
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function harness(port = 0): Promise<{ server: HarnessServer; endpoint: string }> {
  const server = createHarnessServer({ harness: 'test', log: () => undefined, async *handleTurn() {} });
  const address = await server.listen(port, '127.0.0.1');
  closers.push(() => server.close());
  return { server, endpoint: `http://127.0.0.1:${address.port}` };
}

const bind = (endpoint: string, extra: { deadline?: number; signal?: AbortSignal; token?: string } = {}) =>
  bindHarness({ endpoint, token: extra.token ?? TOKEN, deadline: extra.deadline ?? Date.now() + 5_000, signal: extra.signal ?? new AbortController().signal, requestTimeoutMs: 1_000, log: () => undefined, describe: 'sandbox "s"' });

describe('bindHarness', () => {
  it('binds an unbound harness, which then answers only to that token', async () => {
    const { endpoint } = await harness();
    expect(await bind(endpoint)).toBe('bound');
    expect(await harnessAnswersAsOurs(endpoint, TOKEN, 1_000)).toBe(true);
    expect(await harnessAnswersAsOurs(endpoint, 'u'.repeat(43), 1_000)).toBe(false);
  });

  it('reports already_bound when someone bound it first', async () => {
    const { endpoint } = await harness();
    expect(await bind(endpoint, { token: 'o'.repeat(43) })).toBe('bound');
    expect(await bind(endpoint)).toBe('already_bound');
    expect(await harnessAnswersAsOurs(endpoint, TOKEN, 1_000)).toBe(false);
  });

  it('keeps trying until the harness starts listening', async () => {
    const port = await freeLoopbackPort();
    const binding = bind(`http://127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 400));
    await harness(port);
    expect(await binding).toBe('bound');
  });

  it('gives up at the deadline with harness_unavailable naming the last problem', async () => {
    const port = await freeLoopbackPort();
    const error = await bind(`http://127.0.0.1:${port}`, { deadline: Date.now() + 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect(error).toMatchObject({ code: 'harness_unavailable', terminal: false });
    expect((error as Error).message).toMatch(/could not be bound in time \(last problem: cannot reach the harness at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\)/);
  });

  it('refuses a peer that speaks another protocol, terminally', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', protocol: 'someone.else/v9', harness: 'x', bound: false, busy: false }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const error = await bind(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SandboxError', code: 'harness_unavailable', terminal: true });
    expect((error as Error).message).toMatch(/does not speak harness protocol v1: the harness speaks "someone.else\/v9"/);
  });

  it('stops at once on abort', async () => {
    const port = await freeLoopbackPort();
    const controller = new AbortController();
    const binding = bind(`http://127.0.0.1:${port}`, { signal: controller.signal, deadline: Date.now() + 30_000 });
    setTimeout(() => controller.abort(new Error('abandoned')), 100);
    await expect(binding).rejects.toThrow('abandoned');
  });
});
