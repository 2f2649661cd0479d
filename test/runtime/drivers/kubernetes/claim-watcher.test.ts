/** waitForClaim in isolation, against the fake API server (no controller): judge, deadline, abort. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxClaimClient } from '../../../../runtime/drivers/kubernetes/claim-client.ts';
import { waitForClaim, type ClaimObservation } from '../../../../runtime/drivers/kubernetes/claim-watcher.ts';
import { buildSandboxClaim, type SandboxClaim } from '../../../../runtime/drivers/kubernetes/sandbox-claim.ts';
import { FakeKubeApiServer } from '../../../support/fake-kube-api/fake-kube-api-server.ts';

const NS = 'team-a';
let api: FakeKubeApiServer;
let client: SandboxClaimClient;
let created: SandboxClaim;
beforeEach(async () => {
  api = await FakeKubeApiServer.start();
  client = new SandboxClaimClient(api.kubeConfig());
  created = await client.create(NS, buildSandboxClaim({ name: 'c1', namespace: NS, warmPool: 'p', team: 'a', harness: 'h', sessionId: 'c1', sessionKey: 'c1', tokenSha256: '0'.repeat(64) }));
});
afterEach(async () => {
  await api.close();
});

const options = (judge: (o: ClaimObservation) => string | undefined, extra: { deadline?: number; signal?: AbortSignal } = {}) => ({
  namespace: NS,
  name: 'c1',
  initial: { kind: 'present', claim: created } as ClaimObservation,
  resourceVersion: created.metadata.resourceVersion ?? '',
  judge,
  deadline: extra.deadline ?? Date.now() + 10_000,
  timeoutError: () => new Error('deadline passed'),
  signal: extra.signal ?? new AbortController().signal,
  log: () => undefined,
});

describe('waitForClaim', () => {
  it('returns from the initial observation without any request when it already decides', async () => {
    const before = api.requests.length;
    expect(await waitForClaim(client, options(() => 'at once'))).toBe('at once');
    expect(api.requests.length).toBe(before);
  });

  it('returns what the judge decides on a watched change, and fails with what the judge throws', async () => {
    const waiting = waitForClaim(client, options((o) => (o.kind === 'present' && o.claim.status?.sandbox?.name ? o.claim.status.sandbox.name : undefined)));
    await api.waitForRequest((r) => r.watch);
    api.store.updateStatus(NS, 'c1', (s) => {
      s.sandbox = { name: 'p-abcde' };
    });
    expect(await waiting).toBe('p-abcde');

    const failing = waitForClaim(client, options((o) => {
      if (o.kind === 'absent') throw new Error('claim vanished');
      return undefined;
    }));
    await api.waitForRequest((r) => r.watch, { after: api.requests.length - 1 });
    api.store.remove(NS, 'c1');
    await expect(failing).rejects.toThrow('claim vanished');
  });

  it('fails with the timeout error at the deadline, and with the abort reason on abort', async () => {
    const started = Date.now();
    await expect(waitForClaim(client, options(() => undefined, { deadline: Date.now() + 300 }))).rejects.toThrow('deadline passed');
    expect(Date.now() - started).toBeLessThan(3_000);

    const controller = new AbortController();
    const waiting = waitForClaim(client, options(() => undefined, { signal: controller.signal }));
    await api.waitForRequest((r) => r.watch, { after: api.requests.length - 1 });
    controller.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
  });
});
