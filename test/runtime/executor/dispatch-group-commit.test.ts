/**
 * The executor's group commit of dispatches against a real Postgres: the dispatches of many
 * turns are one statement, each turn marked dispatched with its `turn_started` at the
 * session's next seq and its history; a turn whose lease is gone fails alone; an abort
 * requested meanwhile is reported per turn; run again it writes nothing twice; it never
 * deadlocks with the lease renewal.
 */
import { describe, expect, it } from 'vitest';
import { DispatchGroupCommit } from '../../../runtime/executor/dispatch-group-commit.ts';
import { LeaseLostError, listEvents } from '../../../runtime/store/events.ts';
import { createSession } from '../../../runtime/store/sessions.ts';
import { claimTurns, enqueueTurn, getTurn, markDispatchedMany, renewLeases, requestAbort } from '../../../runtime/store/turns.ts';
import { useMigratedDatabase } from '../support/postgres.ts';

const database = useMigratedDatabase();

/** A session whose turn 1 is claimed by `owner`, not dispatched yet (its `user_message` is seq 1). */
async function claimedTurn(owner: string): Promise<string> {
  const session = await createSession(database.pool, { team: 't', harness: 'scripted' });
  await enqueueTurn(database.pool, session.id, 't', 'go', 10, { owner, leaseMs: 60_000, historyMaxChars: 1_000 });
  return session.id;
}

const started = { type: 'turn_started', attempt: 1, sandboxGeneration: 1 } as const;

describe('DispatchGroupCommit', () => {
  it('marks the turns of many sessions dispatched in one statement, each with its turn_started', async () => {
    const owner = 'replica-d/1';
    const sessions = await Promise.all(Array.from({ length: 50 }, () => claimedTurn(owner)));
    const commit = new DispatchGroupCommit(database.pool);
    const results = await Promise.all(sessions.map((sessionId) => commit.dispatch({ owner, sessionId, turn: 1, started })));
    expect(commit.statements).toBe(1);
    for (const [i, result] of results.entries()) {
      expect(result).toMatchObject({ abortRequested: false, history: [] });
      expect(result.events.map((e) => [e.seq, e.event])).toEqual([[2, started]]);
      expect((await getTurn(database.pool, sessions[i]!, 1))?.dispatched).toBe(true);
    }
    expect((await listEvents(database.pool, sessions[7]!, 0, 10)).map((e) => e.event.type)).toEqual(['user_message', 'turn_started']);
  });

  it('fails only the turn whose lease is gone, and reports an abort requested meanwhile', async () => {
    const owner = 'replica-e/1';
    const [kept, lost, aborted] = await Promise.all([0, 1, 2].map(() => claimedTurn(owner)));
    // another replica took `lost` over after its lease expired
    await database.pool.query("UPDATE turns SET lease_expires_at = now() - interval '1 second' WHERE session_id = $1", [lost]);
    expect((await claimTurns(database.pool, 'replica-f/1', 100, 60_000)).map((c) => c.sessionId)).toContain(lost);
    await requestAbort(database.pool, aborted!);
    const commit = new DispatchGroupCommit(database.pool);
    const results = await Promise.allSettled([kept!, lost!, aborted!].map((sessionId) => commit.dispatch({ owner, sessionId, turn: 1, started })));
    expect(commit.statements).toBe(1);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { abortRequested: false } });
    const lostResult = results[1]!;
    expect(lostResult.status === 'rejected' && lostResult.reason instanceof LeaseLostError).toBe(true);
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { abortRequested: true } });
    expect((await getTurn(database.pool, lost!, 1))?.dispatched).toBe(false);
    expect((await listEvents(database.pool, lost!, 0, 10)).map((e) => e.event.type)).toEqual(['user_message']);
  });
  it('never deadlocks with the lease renewal of the same turns (both lock turns in one order)', async () => {
    const owner = 'replica-g/1';
    const sessions = await Promise.all(Array.from({ length: 200 }, () => claimedTurn(owner)));
    const turns = sessions.map((sessionId) => ({ sessionId, turn: 1 }));
    for (let round = 0; round < 5; round++) {
      // the renewal lists the turns in launch order, not in id order
      const shuffled = [...turns].sort(() => Math.random() - 0.5);
      const [dispatched, renewed] = await Promise.allSettled([
        markDispatchedMany(database.pool, sessions.map((sessionId) => ({ owner, sessionId, turn: 1, started }))),
        renewLeases(database.pool, owner, shuffled, 60_000),
      ]);
      expect([dispatched.status, renewed.status, ...[dispatched, renewed].map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok'))]).toEqual(['fulfilled', 'fulfilled', 'ok', 'ok']);
      expect((renewed as PromiseFulfilledResult<unknown[]>).value).toHaveLength(200);
    }
  }, 60_000);
  it('is idempotent: run again after its commit (an answer lost), it answers the same turn_started and writes nothing', async () => {
    const owner = 'replica-h/1';
    const sessions = await Promise.all([0, 1, 2].map(() => claimedTurn(owner)));
    const requests = sessions.map((sessionId) => ({ owner, sessionId, turn: 1, started }));
    const first = await markDispatchedMany(database.pool, requests);
    const again = await markDispatchedMany(database.pool, requests);
    const seqs = (results: typeof first) => results.map((r) => (r instanceof Error ? r.message : r.events.map((e) => [e.seq, e.createdAt.getTime()])));
    expect(seqs(again)).toEqual(seqs(first));
    for (const sessionId of sessions) {
      expect((await listEvents(database.pool, sessionId, 0, 10)).map((e) => [e.seq, e.event.type])).toEqual([[1, 'user_message'], [2, 'turn_started']]);
      expect((await database.pool.query<{ last_seq: number }>('SELECT last_seq FROM sessions WHERE id = $1', [sessionId])).rows[0]!.last_seq).toBe(2);
    }
  });
});
