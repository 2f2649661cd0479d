/**
 * A sandbox claimed for a turn is bound with the turn's dispatch (store/turns.ts
 * bindAndDispatch). When that cannot happen — the session ended while the driver was claiming —
 * the sandbox is released at once instead of being left running unbound.
 */
import { dirname } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadHarnessRegistry } from '../../../harnesses/registry.ts';
import { LocalDriver } from '../../../runtime/drivers/local/local-driver.ts';
import type { SandboxBinding, SandboxDriver, SandboxRequest } from '../../../runtime/drivers/sandbox-driver.ts';
import { silentLogger } from '../../../runtime/log.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, tempDir, TOKENS, type TestRuntime } from '../support/runtime.ts';

/** The local driver, with claims held until the test lets them through. */
class GatedDriver implements SandboxDriver {
  readonly name = 'local' as const;
  readonly acquired: string[] = [];
  readonly released: string[] = [];
  private open!: () => void;
  readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  constructor(readonly local: LocalDriver) {}
  letThrough(): void {
    this.open();
  }
  async acquire(request: SandboxRequest): Promise<SandboxBinding> {
    await this.gate;
    // deliberately deaf to the turn's abort: the claim completes after the session ended
    const binding = await this.local.acquire(request);
    this.acquired.push(binding.sandboxId);
    return binding;
  }
  isAlive(binding: SandboxBinding): Promise<boolean> {
    return this.local.isAlive(binding);
  }
  async release(binding: SandboxBinding): Promise<void> {
    this.released.push(binding.sandboxId);
    await this.local.release(binding);
  }
  close(): Promise<void> {
    return this.local.close();
  }
}

let server: TestPostgres;
let replica: TestRuntime;
let driver: GatedDriver;
let db: pg.Pool;
beforeAll(async () => {
  server = await startTestPostgres();
  const url = await server.createDatabase();
  driver = new GatedDriver(new LocalDriver({ registry: loadHarnessRegistry(), workDir: tempDir('gated'), modelGatewayUrl: 'http://127.0.0.1:9', log: silentLogger, env: { PATH: dirname(process.execPath) } }));
  replica = await startTestRuntime(url, { driver });
  db = new pg.Pool({ connectionString: url, max: 1 });
});
afterAll(async () => {
  await db?.end();
  await replica?.close();
  await server?.stop();
});

it('releases a sandbox whose session ended while it was being claimed, and binds nothing', async () => {
  const api = new Api(replica.url, TOKENS.beta);
  const id = await api.createSession('scripted', 'ends early');
  await api.send(id, 'hello');
  const ended = await api.request('DELETE', `/v1/sessions/${id}`);
  expect(ended.status).toBe(200);
  driver.letThrough();
  // the turn ends (aborted) once the sandbox it could not bind was released
  const events = await api.waitForDone(id, 1);
  expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: 'aborted' });
  expect(driver.acquired).toHaveLength(1);
  expect(driver.released).toEqual(driver.acquired);
  expect(await boundOrNull()).toBeNull();
  const turn = await db.query('SELECT state, dispatched FROM turns WHERE session_id = $1', [id]);
  expect(turn.rows[0]).toEqual({ state: 'aborted', dispatched: false });
  const types = events.map((e: { type: string }) => e.type);
  expect(types).not.toContain('turn_started');
  expect(types).not.toContain('sandbox');

  async function boundOrNull() {
    return (await db.query('SELECT * FROM sandbox_bindings WHERE session_id = $1', [id])).rows[0] ?? null;
  }
});
