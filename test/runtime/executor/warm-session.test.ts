/**
 * The two shortcuts of a session's next turn (ADR 0014) and the knob that turns them off
 * (`warmSessionMs`, PADDOCK_WARM_SESSION_SECONDS): within the window the sandbox that just said
 * `done` is trusted without a protocol check and the conversation comes from memory; at 0 every
 * turn checks its sandbox and rebuilds the conversation from the turns table.
 *
 * Observed from outside: the harness is reached through a counting proxy (its `POST /v1/abort`
 * and `GET /v1/status` requests are the checks: sandboxes.ts check), and the stored output of turn 1 is rewritten in SQL between the
 * turns, so a `/recall` on turn 2 tells which conversation the harness was handed.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import { loadHarnessRegistry } from '../../../harnesses/registry.ts';
import { LocalDriver } from '../../../runtime/drivers/local/local-driver.ts';
import { createLogger } from '../../../runtime/log.ts';
import type { SandboxBinding, SandboxDriver, SandboxRequest } from '../../../runtime/drivers/sandbox-driver.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, tempDir, textOf, TOKENS, type TestRuntime } from '../support/runtime.ts';

/** Forwards every request to the harness and counts them by `METHOD path`. */
class CountingProxy {
  readonly requests = new Map<string, number>();
  private constructor(private readonly server: Server) {}

  static async start(target: string): Promise<CountingProxy & { url: string }> {
    let proxy: CountingProxy | undefined;
    const server = createServer((req, res) => {
      const route = `${req.method} ${req.url}`;
      proxy!.requests.set(route, (proxy!.requests.get(route) ?? 0) + 1);
      const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    proxy = new CountingProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return Object.assign(proxy, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  }

  count(route: string): number {
    return this.requests.get(route) ?? 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The local driver's sandboxes, each reached through a counting proxy. */
class ProxiedDriver implements SandboxDriver {
  readonly name = 'local' as const;
  readonly proxies: CountingProxy[] = [];
  constructor(private readonly inner: SandboxDriver) {}
  async acquire(request: SandboxRequest, signal?: AbortSignal): Promise<SandboxBinding> {
    const binding = await this.inner.acquire(request, signal);
    const proxy = await CountingProxy.start(binding.endpoint);
    this.proxies.push(proxy);
    return { ...binding, endpoint: proxy.url };
  }
  isAlive(binding: SandboxBinding): Promise<boolean> {
    return this.inner.isAlive(binding);
  }
  release(binding: SandboxBinding): Promise<void> {
    return this.inner.release(binding);
  }
  async close(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.close()));
    await this.inner.close();
  }
}

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.stop();
});

async function secondTurnAfterEditingTheFirst(warmSessionMs: number | undefined) {
  const url = await server.createDatabase();
  const db = new pg.Pool({ connectionString: url, max: 1 });
  let replica: TestRuntime | undefined;
  let driver: ProxiedDriver | undefined;
  try {
    driver = new ProxiedDriver(new LocalDriver({ registry: loadHarnessRegistry(), workDir: tempDir('sandboxes'), modelGatewayUrl: 'http://127.0.0.1:9', log: createLogger({ level: 'error' }), env: { PATH: dirname(process.execPath) } }));
    replica = await startTestRuntime(url, { driver, ...(warmSessionMs === undefined ? {} : { warmSessionMs }) });
    const api = new Api(replica.url, TOKENS.beta);
    const session = await api.createSession('scripted');
    await api.send(session, 'hello');
    await api.waitForDone(session, 1);
    // turn 1 as the database holds it now differs from what the runtime saw stream by
    const edited = await db.query("UPDATE turns SET output = 'rewritten in the database' WHERE session_id = $1 AND turn = 1", [session]);
    expect(edited.rowCount).toBe(1);
    const proxy = driver.proxies[0]!;
    const checksOf = () => proxy.count('POST /v1/abort') + proxy.count('GET /v1/status');
    const checksBefore = checksOf();
    await api.send(session, '/recall');
    const reply = textOf(await api.waitForDone(session, 2));
    return { reply, checks: checksOf() - checksBefore };
  } finally {
    await replica?.close();
    await db.end();
  }
}

describe('a session\'s next turn', () => {
  it('within the warm window (default 30 s): trusts the sandbox and hands over the conversation from memory', async () => {
    const { reply, checks } = await secondTurnAfterEditingTheFirst(undefined);
    expect(checks).toBe(0);
    expect(reply).toBe('I remember 2 messages: user: hello | assistant: I heard: hello (turn 1, 0 history messages)');
  });

  it('with warmSessionMs 0: checks the sandbox over the protocol and rebuilds the conversation from the turns table', async () => {
    const { reply, checks } = await secondTurnAfterEditingTheFirst(0);
    expect(checks).toBeGreaterThanOrEqual(1);
    expect(reply).toBe('I remember 2 messages: user: hello | assistant: rewritten in the database');
  });
});
