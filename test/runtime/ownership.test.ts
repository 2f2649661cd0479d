/** Two runtime replicas on one database: every turn runs exactly once, in order, per session. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './support/postgres.ts';
import { Api, startTestRuntime, textOf, TOKENS, type TestRuntime } from './support/runtime.ts';

let pg: TestPostgres;
let replicas: TestRuntime[] = [];
beforeAll(async () => {
  pg = await startTestPostgres();
  const url = await pg.createDatabase();
  replicas = [await startTestRuntime(url, { replicaName: 'replica-a' }), await startTestRuntime(url, { replicaName: 'replica-b' })];
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await pg?.stop();
});

it('shares turns between replicas through leases without running any twice', async () => {
  const [a, b] = replicas.map((r) => new Api(r.url, TOKENS.beta)) as [Api, Api];
  const sessions = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).createSession('scripted', `s${i}`)));
  // messages go to either replica's API, interleaved, while turns are running
  for (let round = 1; round <= 3; round++) {
    await Promise.all(sessions.map((id, i) => ((i + round) % 2 ? a : b).send(id, `round ${round}`)));
  }
  for (const id of sessions) await a.waitForDone(id, 3, 60_000);

  for (const id of sessions) {
    const events = await b.events(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const turn of [1, 2, 3]) {
      const own = events.filter((e) => e.turn === turn);
      expect(own.filter((e) => e.type === 'turn_started')).toHaveLength(1);
      expect(own.filter((e) => e.type === 'done')).toEqual([expect.objectContaining({ stopReason: 'end_turn' })]);
      expect(textOf(own)).toBe(`I heard: round ${turn} (turn ${turn}, ${(turn - 1) * 2} history messages)`);
    }
    const dones = events.filter((e) => e.type === 'done').map((e) => e.seq);
    const starts = events.filter((e) => e.type === 'turn_started').map((e) => e.seq);
    // turn n+1 starts only after turn n is done
    expect(starts[1]).toBeGreaterThan(dones[0]);
    expect(starts[2]).toBeGreaterThan(dones[1]);
  }
  const claimed = await Promise.all(replicas.map((r) => r.runtime.metrics.total(r.runtime.metrics.turnsClaimed, { recovered: 'false' })));
  expect(claimed[0]! + claimed[1]!).toBe(sessions.length * 3);
});
