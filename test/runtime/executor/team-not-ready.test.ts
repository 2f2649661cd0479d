/**
 * A runtime that learns of a team before the team's bundle (namespace, the runtime's
 * RoleBinding, templates) is applied: the real runtime with the real Kubernetes driver against
 * the fake API server. The turn fails with a retryable `team_not_ready` error that says why, the
 * session stays active, and the next message is served once the bundle is applied.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, testConfig, TOKENS, type TestRuntime } from '../support/runtime.ts';
import { NAMESPACE, startDriverFixture, type DriverFixture } from '../drivers/kubernetes/driver-fixture.ts';

let server: TestPostgres;
let fixture: DriverFixture;
let replica: TestRuntime;
beforeAll(async () => {
  server = await startTestPostgres();
  fixture = await startDriverFixture();
  const config = testConfig({ teams: [{ name: 'alpha', namespace: NAMESPACE, env: {}, harnesses: [fixture.harness] }] });
  replica = await startTestRuntime(await server.createDatabase(), { config, driver: fixture.driver });
});
afterAll(async () => {
  await replica?.close();
  await fixture?.close();
  await server?.stop();
});

it('fails the turn with a retryable team_not_ready error naming the missing bundle, keeps the session, and serves it once the bundle is applied', async () => {
  fixture.api.withoutTeamBundle(NAMESPACE);
  const api = new Api(replica.url, TOKENS.alpha);
  const id = await api.createSession('scripted', 'new team');
  await api.send(id, 'hello');
  const first = await api.waitForDone(id, 1, 30_000);
  const error = first.find((e) => e.type === 'error');
  expect(error).toMatchObject({ code: 'team_not_ready', retryable: true });
  expect(error.message).toContain(`in the namespace "${NAMESPACE}"`);
  expect(error.message).toContain(`the team's bundle (namespace, RBAC, templates) is not applied yet`);
  expect((await api.request('GET', `/v1/sessions/${id}`)).body.session).toMatchObject({ state: 'active', error: null });

  fixture.api.applyTeamBundle(NAMESPACE);
  await api.send(id, 'hello again');
  const second = await api.waitForDone(id, 2, 30_000);
  expect(second.find((e) => e.type === 'error')).toBeUndefined();
  expect(second.at(-1)).toMatchObject({ type: 'done', stopReason: 'end_turn' });
});
