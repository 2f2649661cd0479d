/**
 * One Kubernetes driver test world: the fake API server, the fake agent-sandbox controller
 * with a warm pool whose harness (the real scripted harness) listens on a free loopback port,
 * a team/harness config whose `port` is that port, and a driver pointed at the fake server.
 */
import { randomUUID } from 'node:crypto';
import type { RuntimeHarnessConfig, RuntimeTeamConfig } from '../../../../config/runtime-config.ts';
import { KubernetesSandboxDriver, type ClaimLatencyInfo, type KubernetesSandboxDriverOptions } from '../../../../runtime/drivers/kubernetes/kubernetes-driver.ts';
import type { LogLevel } from '../../../../runtime/drivers/kubernetes/driver-log.ts';
import type { SandboxRequest } from '../../../../runtime/drivers/sandbox-driver.ts';
import { FakeKubeApiServer, type FakeKubeApiOptions, type RecordedRequest } from '../../../support/fake-kube-api/fake-kube-api-server.ts';
import { FakeSandboxController, type FakeWarmPool } from '../../../support/fake-kube-api/fake-sandbox-controller.ts';
import { freeLoopbackPort } from '../../../support/fake-kube-api/harness-process.ts';

export const NAMESPACE = 'team-a';
export const POOL = 'scripted';

export interface LogEntry {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface DriverFixture {
  readonly api: FakeKubeApiServer;
  readonly controller: FakeSandboxController;
  readonly port: number;
  readonly team: RuntimeTeamConfig;
  readonly harness: RuntimeHarnessConfig;
  readonly driver: KubernetesSandboxDriver;
  readonly logs: LogEntry[];
  readonly latencies: { ms: number; info: ClaimLatencyInfo }[];
  request(sessionId?: string): SandboxRequest;
  /** another driver on the same fake cluster (e.g. a restarted runtime); closed by close() */
  newDriver(options?: Partial<KubernetesSandboxDriverOptions>): KubernetesSandboxDriver;
  /** requests to the claim collection and its items from `after` on */
  claimRequests(after?: number): RecordedRequest[];
  close(): Promise<void>;
}

export interface FixtureOptions {
  /** overrides for the warm pool; `false` registers no pool at all */
  readonly pool?: Partial<FakeWarmPool> | false;
  readonly driver?: Partial<KubernetesSandboxDriverOptions>;
  readonly api?: FakeKubeApiOptions;
}

export async function startDriverFixture(options: FixtureOptions = {}): Promise<DriverFixture> {
  const api = await FakeKubeApiServer.start(options.api);
  const controller = new FakeSandboxController(api).start();
  const port = await freeLoopbackPort();
  if (options.pool !== false) controller.addWarmPool({ namespace: NAMESPACE, name: POOL, port, ...options.pool });
  const harness: RuntimeHarnessConfig = { name: 'scripted', warmPool: POOL, port, modelGatewayEnv: [] };
  const team: RuntimeTeamConfig = { name: 'a', namespace: NAMESPACE, harnesses: [harness], env: {} };
  const logs: LogEntry[] = [];
  const latencies: { ms: number; info: ClaimLatencyInfo }[] = [];
  const drivers: KubernetesSandboxDriver[] = [];
  const newDriver = (overrides: Partial<KubernetesSandboxDriverOptions> = {}) => {
    const driver = new KubernetesSandboxDriver({
      kubeConfig: api.kubeConfig(),
      readyTimeoutMs: 30_000,
      bindTimeoutMs: 15_000,
      log: (level, message, fields) => logs.push({ level, message, fields: fields ?? {} }),
      onClaimLatency: (ms, info) => latencies.push({ ms, info }),
      ...options.driver,
      ...overrides,
    });
    drivers.push(driver);
    return driver;
  };
  const driver = newDriver();
  return {
    api,
    controller,
    port,
    team,
    harness,
    driver,
    logs,
    latencies,
    newDriver,
    request: (sessionId = randomUUID()) => ({ team, harness, sessionId }),
    claimRequests: (after = 0) => api.requests.slice(after).filter((r) => r.path.includes('/sandboxclaims')),
    async close() {
      await Promise.all(drivers.map((d) => d.close()));
      await controller.stop();
      await api.close();
    },
  };
}

/** Resolves once `condition` holds, polling a test-side predicate (bounded). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
