/**
 * A session that keeps using its sandbox keeps it: after each turn the runtime asks the driver
 * to push the claim's shutdownTime out (the real runtime, the real Kubernetes driver, the fake
 * API server). The lifetime is seconds here so that renewal falls due within the test.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SandboxClaimClient } from '../../../runtime/drivers/kubernetes/claim-client.ts';
import { rfc3339Seconds } from '../../../runtime/drivers/kubernetes/sandbox-claim.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, testConfig, TOKENS, type TestRuntime } from '../support/runtime.ts';
import { eventually, NAMESPACE, startDriverFixture, type DriverFixture } from '../drivers/kubernetes/driver-fixture.ts';

const LIFETIME_S = 4;

let server: TestPostgres;
let fixture: DriverFixture;
let replica: TestRuntime;
beforeAll(async () => {
  server = await startTestPostgres();
  fixture = await startDriverFixture({ driver: { sandboxLifetimeSeconds: LIFETIME_S } });
  const config = testConfig({ teams: [{ name: 'alpha', namespace: NAMESPACE, env: {}, harnesses: [fixture.harness] }] });
  replica = await startTestRuntime(await server.createDatabase(), { config, driver: fixture.driver });
});
afterAll(async () => {
  await replica?.close();
  await fixture?.close();
  await server?.stop();
});

it('pushes the claim\'s shutdownTime a lifetime out after a turn once it is due', async () => {
  const api = new Api(replica.url, TOKENS.alpha);
  const id = await api.createSession('scripted', 'long-lived');
  await api.send(id, 'hello');
  await api.waitForDone(id, 1, 30_000);
  const [claim] = fixture.api.store.list(NAMESPACE);
  const name = claim!.metadata.name;

  // time passes: most of the lifetime is used up
  await new Promise((r) => setTimeout(r, (LIFETIME_S * 1000) / 4 + 200));
  const client = new SandboxClaimClient(fixture.api.kubeConfig());
  const current = (await client.get(NAMESPACE, name))!;
  await client.replace(NAMESPACE, { ...current, spec: { ...current.spec, lifecycle: { ...current.spec.lifecycle, shutdownTime: rfc3339Seconds(new Date(Date.now() + 1000)) } } });

  await api.send(id, 'still here');
  await api.waitForDone(id, 2, 30_000);
  const shutdown = () => Date.parse((fixture.api.store.get(NAMESPACE, name)!.spec.lifecycle as { shutdownTime: string }).shutdownTime);
  await eventually(() => shutdown() >= Date.now() + 2_000, 'the claim\'s shutdownTime to be renewed');
  expect(fixture.api.store.list(NAMESPACE)).toHaveLength(1);
});
