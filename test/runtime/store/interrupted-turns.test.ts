/** Reporting interrupted turns in bulk: which turns, their events and seqs, output, exactly once. */
import { describe, expect, it } from 'vitest';
import { appendEvents, listEvents } from '../../../runtime/store/events.ts';
import { INTERRUPTED_MESSAGE, reportInterruptedTurns } from '../../../runtime/store/interrupted-turns.ts';
import { createSession, finishSession } from '../../../runtime/store/sessions.ts';
import { claimTurns, enqueueTurn, enqueueTurns, getTurn, markDispatched } from '../../../runtime/store/turns.ts';
import { useMigratedDatabase } from '../support/postgres.ts';

const database = useMigratedDatabase({ max: 20 });

/** A session whose turn 1 was claimed by `owner` (lease `leaseMs`), optionally dispatched and streaming `text`. */
async function runningTurn(owner: string, options: { leaseMs: number; dispatched: boolean; text?: string[] }): Promise<string> {
  const session = await createSession(database.pool, { team: 't', harness: 'scripted' });
  await enqueueTurn(database.pool, session.id, 't', 'do it', 10);
  const claimed = (await claimTurns(database.pool, owner, 1_000, options.leaseMs)).filter((c) => c.sessionId === session.id);
  expect(claimed).toHaveLength(1);
  if (options.dispatched) await markDispatched(database.pool, owner, session.id, 1, { type: 'turn_started', attempt: 1, sandboxGeneration: 1 });
  if (options.text) await appendEvents(database.pool, session.id, 1, options.text.map((text) => ({ type: 'text_delta', text })), { owner });
  return session.id;
}

/** Leases of `owner` expire now (as expireLeasesOfPreviousInstances does for a dead process). */
const expireLeases = (owner: string) => database.pool.query("UPDATE turns SET lease_expires_at = now() - interval '1 second' WHERE lease_owner = $1", [owner]);

describe('reportInterruptedTurns', () => {
  it('reports only dispatched turns whose lease expired, with the streamed text, error and done at the next seqs', async () => {
    const dead = `dead-${Date.now()}/a`;
    const streaming = await runningTurn(dead, { leaseMs: 60_000, dispatched: true, text: ['par', 'tial'] });
    const silent = await runningTurn(dead, { leaseMs: 60_000, dispatched: true });
    const notDispatched = await runningTurn(dead, { leaseMs: 60_000, dispatched: false });
    const alive = await runningTurn(`alive-${Date.now()}/b`, { leaseMs: 60_000, dispatched: true, text: ['still going'] });
    await expireLeases(dead);

    const reported = await reportInterruptedTurns(database.pool, 1_000);
    const mine = reported.filter((r) => [streaming, silent, notDispatched, alive].includes(r.sessionId));
    expect(mine.map((r) => r.sessionId).sort()).toEqual([streaming, silent].sort());

    const streamingReport = mine.find((r) => r.sessionId === streaming)!;
    // user_message 1, turn_started 2, deltas 3-4, then error 5 and done 6
    expect(streamingReport.events.map((e) => [e.seq, e.event.type])).toEqual([[5, 'error'], [6, 'done']]);
    expect(streamingReport).toMatchObject({ turn: 1, team: 't', harness: 'scripted', laterTurn: false, sessionState: 'active' });
    const stored = await listEvents(database.pool, streaming, 0, 100);
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(stored.slice(-2).map((e) => e.event)).toEqual([
      { type: 'error', code: 'interrupted', message: INTERRUPTED_MESSAGE, retryable: true },
      { type: 'done', stopReason: 'error' },
    ]);
    expect(stored.slice(-2).map((e) => e.createdAt.getTime())).toEqual(streamingReport.events.map((e) => e.createdAt.getTime()));
    expect(await getTurn(database.pool, streaming, 1)).toMatchObject({ state: 'interrupted', output: 'partial', errorCode: 'interrupted', leaseOwner: null });
    expect(await getTurn(database.pool, silent, 1)).toMatchObject({ state: 'interrupted', output: '' });
    // not dispatched: the harness never got it, so it is claimed and run again, not reported
    expect(await getTurn(database.pool, notDispatched, 1)).toMatchObject({ state: 'running', dispatched: false });
    expect(await getTurn(database.pool, alive, 1)).toMatchObject({ state: 'running', leaseOwner: expect.stringMatching(/^alive-/) });
    // reported once: a second pass finds nothing of these
    expect((await reportInterruptedTurns(database.pool, 1_000)).filter((r) => r.sessionId === streaming || r.sessionId === silent)).toEqual([]);
  });

  it('says when a later turn waits and when the session ended meanwhile', async () => {
    const dead = `dead2-${Date.now()}/a`;
    const queuedBehind = await runningTurn(dead, { leaseMs: 60_000, dispatched: true });
    await enqueueTurn(database.pool, queuedBehind, 't', 'retry', 10);
    const ended = await runningTurn(dead, { leaseMs: 60_000, dispatched: true });
    await finishSession(database.pool, ended, 'ended');
    await expireLeases(dead);
    const reported = await reportInterruptedTurns(database.pool, 1_000);
    expect(reported.find((r) => r.sessionId === queuedBehind)).toMatchObject({ laterTurn: true, sessionState: 'active' });
    expect(reported.find((r) => r.sessionId === ended)).toMatchObject({ laterTurn: false, sessionState: 'ended' });
    // the queued turn is claimable now
    expect((await claimTurns(database.pool, 'next/a', 1_000, 60_000)).filter((c) => c.sessionId === queuedBehind).map((c) => c.turn)).toEqual([2]);
  });

  it('reports each of many turns exactly once when replicas report concurrently, in batches of the limit', async () => {
    const dead = `dead3-${Date.now()}/a`;
    const sessions: string[] = [];
    // one after another: each claim must take its own session's turn only
    for (let i = 0; i < 60; i++) sessions.push(await runningTurn(dead, { leaseMs: 60_000, dispatched: true, text: ['x'] }));
    await expireLeases(dead);
    const passes = await Promise.all(Array.from({ length: 4 }, async () => {
      const all = [];
      for (;;) {
        const batch = await reportInterruptedTurns(database.pool, 7);
        expect(batch.length).toBeLessThanOrEqual(7);
        all.push(...batch);
        if (batch.length === 0) return all;
      }
    }));
    const ids = passes.flat().map((r) => r.sessionId).filter((id) => sessions.includes(id));
    expect(ids.sort()).toEqual([...sessions].sort());
    const { rows } = await database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE session_id = ANY($1::uuid[]) AND type = 'done'", [sessions]);
    expect(rows[0]!.n).toBe(60);
  });
  it('locks its sessions in id order, so it never deadlocks with a batch of messages to the same sessions', async () => {
    const owner = `dead-${Date.now()}/order`;
    const [lo, hi] = (await Promise.all([createSession(database.pool, { team: 't', harness: 'scripted' }), createSession(database.pool, { team: 't', harness: 'scripted' })])).map((s) => s.id).sort();
    // hi's turn is the older: reported (and once locked) first
    for (const id of [hi!, lo!]) {
      await enqueueTurn(database.pool, id, 't', 'do it', 10);
      expect((await claimTurns(database.pool, owner, 1_000, 60_000)).filter((c) => c.sessionId === id)).toHaveLength(1);
      await markDispatched(database.pool, owner, id, 1, { type: 'turn_started', attempt: 1, sandboxGeneration: 1 });
    }
    await expireLeases(owner);
    // widen the window between the report's two session updates: hi's takes half a second
    await database.pool.query(`CREATE FUNCTION test_slow_session_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = '${hi}' THEN PERFORM pg_sleep(0.5); END IF; RETURN NEW; END $$`);
    await database.pool.query('CREATE TRIGGER test_slow_session_update BEFORE UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION test_slow_session_update()');
    try {
      const report = reportInterruptedTurns(database.pool, 1_000);
      await expect.poll(async () => (await database.pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep'")).rows[0].n, { timeout: 5_000, interval: 10 }).toBe(1);
      // a batch of messages to both: it locks lo, then wants hi
      const messages = enqueueTurns(database.pool, [lo!, hi!].map((sessionId) => ({ sessionId, team: 't', input: 'again', maxQueued: 10 })));
      const [reported, enqueued] = await Promise.allSettled([report, messages]);
      expect([reported.status, enqueued.status, ...[reported, enqueued].map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok'))]).toEqual(['fulfilled', 'fulfilled', 'ok', 'ok']);
      expect((reported as PromiseFulfilledResult<Awaited<typeof report>>).value.map((r) => r.sessionId).filter((id) => id === lo || id === hi).sort()).toEqual([lo, hi]);
    } finally {
      await database.pool.query('DROP TRIGGER test_slow_session_update ON sessions');
      await database.pool.query('DROP FUNCTION test_slow_session_update()');
    }
  }, 20_000);
});
