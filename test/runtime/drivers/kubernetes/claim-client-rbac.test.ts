/**
 * The runtime's ClusterRole grants exactly what the claim client calls: every public method of
 * SandboxClaimClient is run against the fake API server, each recorded request is turned into
 * its RBAC verb, and the set must equal the rendered role's rules (no extra resources or verbs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeControllerObjects } from '../../../../charts-synth/charts/runtime-controller.ts';
import { RUNTIME_SANDBOX_CLAIMS_ROLE } from '../../../../charts-synth/builders/team-rbac.ts';
import { SandboxClaimClient } from '../../../../runtime/drivers/kubernetes/claim-client.ts';
import { buildSandboxClaim, SANDBOX_CLAIM_GROUP } from '../../../../runtime/drivers/kubernetes/sandbox-claim.ts';
import { FakeKubeApiServer, type RecordedRequest } from '../../../support/fake-kube-api/fake-kube-api-server.ts';
import { shippedSpec } from '../../../support/fixtures.ts';

const NS = 'team-a';

/** How the API server names the verb of a request (k8s.io/apiserver RequestInfo). */
function rbacVerb(request: RecordedRequest): string {
  const item = request.path.split('/').length > 7; // /apis/<group>/<version>/namespaces/<ns>/<plural>/<name>
  switch (request.method) {
    case 'POST':
      return 'create';
    case 'GET':
      return request.watch ? 'watch' : item ? 'get' : 'list';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return item ? 'delete' : 'deletecollection';
    default:
      throw new Error(`unexpected ${request.method}`);
  }
}

describe('the runtime ClusterRole against what the claim client does', () => {
  let api: FakeKubeApiServer;
  beforeAll(async () => {
    api = await FakeKubeApiServer.start();
  });
  afterAll(async () => {
    await api.close();
  });

  it('grants exactly the verbs the client uses, on sandboxclaims only', async () => {
    const client = new SandboxClaimClient(api.kubeConfig(), { requestTimeoutMs: 2_000 });
    const body = buildSandboxClaim({ name: 'c1', namespace: NS, warmPool: 'scripted', team: 'a', harness: 'scripted', sessionId: 'c1', sessionKey: 'c1', tokenSha256: '0'.repeat(64) });
    const created = await client.create(NS, body);
    await client.get(NS, 'c1');
    const list = await client.list(NS, { fieldSelector: 'metadata.name=c1' });
    await client.replace(NS, { ...created, metadata: { ...created.metadata, annotations: { ...created.metadata.annotations, touched: 'yes' } } });
    const watching = new AbortController();
    const watched = client.watch(NS, { name: 'c1', resourceVersion: list.resourceVersion, timeoutSeconds: 5 }, () => 'stop', watching.signal);
    await api.waitForRequest((r) => r.watch);
    watching.abort();
    await watched;
    await client.delete(NS, 'c1', {});

    const used = new Set(api.requests.map((r) => {
      expect(r.path).toContain(`/apis/${SANDBOX_CLAIM_GROUP}/`);
      return rbacVerb(r);
    }));
    const role = runtimeControllerObjects(shippedSpec('prod')).find((o) => o.kind === 'ClusterRole' && o.metadata.name === RUNTIME_SANDBOX_CLAIMS_ROLE) as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    expect(role.rules).toEqual([{ apiGroups: [SANDBOX_CLAIM_GROUP], resources: ['sandboxclaims'], verbs: [...used].sort() }]);
  });
});
