/**
 * One lock order on one session: its row, then its turns. Ending or aborting a session locks the
 * session, then its running turn; finishing that turn, or reporting it interrupted, at the same
 * moment must wait for the session without holding the turn. Each race is staged exactly: a gate
 * holds the session while the two statements queue behind it in the order that deadlocked.
 */
import { describe, expect, it } from 'vitest';
import { listEvents } from '../../../runtime/store/events.ts';
import { reportInterruptedTurns } from '../../../runtime/store/interrupted-turns.ts';
import { createSession, finishSession } from '../../../runtime/store/sessions.ts';
import { claimTurns, enqueueTurn, finishTurn, getTurn, markDispatched, requestAbort } from '../../../runtime/store/turns.ts';
import { useMigratedDatabase } from '../support/postgres.ts';

const database = useMigratedDatabase({ max: 10 });

/** A session whose turn 1 `owner` claimed and dispatched. */
async function dispatchedTurn(owner: string): Promise<string> {
  const session = await createSession(database.pool, { team: 't', harness: 'scripted' });
  await enqueueTurn(database.pool, session.id, 't', 'do it', 10);
  expect((await claimTurns(database.pool, owner, 1_000, 60_000)).filter((c) => c.sessionId === session.id)).toHaveLength(1);
  await markDispatched(database.pool, owner, session.id, 1, { type: 'turn_started', attempt: 1, sandboxGeneration: 1 });
  return session.id;
}

const waitingOnLocks = async () => (await database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n;

/**
 * Runs `first`, then `second`, each queued on the session's row lock held by a gate (`second`
 * has already taken whatever it locks before the session), then opens the gate: `first` gets the
 * session and goes on to the turn. `second` may also finish without waiting for the session.
 * Returns both outcomes: 'ok', or the SQLSTATE of a failure (40P01: deadlock).
 */
async function race(sessionId: string, first: () => Promise<unknown>, second: () => Promise<unknown>) {
  const gate = await database.pool.connect();
  try {
    await gate.query('BEGIN');
    await gate.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [sessionId]);
    const a = first();
    await expect.poll(waitingOnLocks, { timeout: 5_000, interval: 10 }).toBe(1);
    let secondSettled = false;
    const b = second().finally(() => {
      secondSettled = true;
    });
    // queued behind `first`, or done without waiting for the session (a report skips it)
    await expect.poll(async () => secondSettled || (await waitingOnLocks()) === 2, { timeout: 5_000, interval: 10 }).toBe(true);
    await gate.query('COMMIT');
    const outcomes = await Promise.allSettled([a, b]);
    return outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : ((o.reason as { code?: string }).code ?? String(o.reason))));
  } finally {
    gate.release();
  }
}

describe('a session, then its turns: the one lock order', () => {
  it('ends a session while its turn finishes: both go through, and session_ended follows the done', async () => {
    const owner = 'replica-a/1';
    const sessionId = await dispatchedTurn(owner);
    const outcomes = await race(
      sessionId,
      () => finishSession(database.pool, sessionId, 'ended'),
      () => finishTurn(database.pool, owner, sessionId, 1, [{ type: 'done', stopReason: 'end_turn' }], { state: 'completed', stopReason: 'end_turn', output: 'all done' }),
    );
    expect(outcomes).toEqual(['ok', 'ok']);
    expect(await getTurn(database.pool, sessionId, 1)).toMatchObject({ state: 'completed', output: 'all done', abortRequested: true });
    expect((await listEvents(database.pool, sessionId, 0, 100)).map((e) => e.event.type)).toEqual(['user_message', 'turn_started', 'done', 'session_ended']);
  }, 20_000);

  it('aborts a session while its turn finishes: both go through', async () => {
    const owner = 'replica-b/1';
    const sessionId = await dispatchedTurn(owner);
    const outcomes = await race(
      sessionId,
      () => requestAbort(database.pool, sessionId),
      () => finishTurn(database.pool, owner, sessionId, 1, [{ type: 'done', stopReason: 'end_turn' }], { state: 'completed', stopReason: 'end_turn', output: 'done anyway' }),
    );
    expect(outcomes).toEqual(['ok', 'ok']);
    expect(await getTurn(database.pool, sessionId, 1)).toMatchObject({ state: 'completed', abortRequested: true });
  }, 20_000);

  it('ends a session while its dead owner\'s turn is reported interrupted: both go through, and the turn is reported once', async () => {
    const owner = `dead-${Date.now()}/1`;
    const sessionId = await dispatchedTurn(owner);
    await database.pool.query("UPDATE turns SET lease_expires_at = now() - interval '1 second' WHERE lease_owner = $1", [owner]);
    let reported: Awaited<ReturnType<typeof reportInterruptedTurns>> = [];
    const outcomes = await race(
      sessionId,
      () => finishSession(database.pool, sessionId, 'ended'),
      async () => {
        reported = await reportInterruptedTurns(database.pool, 1_000);
      },
    );
    expect(outcomes).toEqual(['ok', 'ok']);
    // the report skipped the session it found locked, or waited for it: either way it is reported once
    if (reported.every((r) => r.sessionId !== sessionId)) reported = await reportInterruptedTurns(database.pool, 1_000);
    expect(reported.filter((r) => r.sessionId === sessionId)).toMatchObject([{ turn: 1, sessionState: 'ended' }]);
    expect((await listEvents(database.pool, sessionId, 0, 100)).map((e) => e.event.type)).toEqual(['user_message', 'turn_started', 'error', 'done']);
    expect(await getTurn(database.pool, sessionId, 1)).toMatchObject({ state: 'interrupted' });
  }, 20_000);

  it('reports interrupted turns while a lease renewal holds one of them: the report skips that turn instead of waiting for it', async () => {
    const owner = `dead-${Date.now()}/renewed`;
    // lo's turn first, so any plan reaches it before hi's
    const first = await dispatchedTurn(owner);
    const second = await dispatchedTurn(owner);
    const [lo, hi] = first < second ? [first, second] : [second, first];
    if (lo !== first) await database.pool.query("UPDATE turns SET created_at = created_at - interval '1 second' WHERE session_id = $1", [lo]);
    await database.pool.query("UPDATE turns SET lease_expires_at = now() - interval '1 second' WHERE lease_owner = $1", [owner]);
    // a renewal of both, as renewLeases locks them ((session, turn) order), stopped after hi's...
    const renewal = await database.pool.connect();
    try {
      await renewal.query('BEGIN');
      await renewal.query('SELECT 1 FROM turns WHERE session_id = $1 AND turn = 1 FOR UPDATE', [hi]);
      let reportSettled = false;
      const report = reportInterruptedTurns(database.pool, 1_000).finally(() => {
        reportSettled = true;
      });
      await expect.poll(async () => reportSettled || (await waitingOnLocks()) === 1, { timeout: 5_000, interval: 10 }).toBe(true);
      // ...then lo's (the old report held lo's turn here and waited for hi's: a cycle)
      const renewedLo = await renewal.query("UPDATE turns SET lease_expires_at = lease_expires_at WHERE session_id = $1 AND turn = 1 AND state = 'running'", [lo]).then(
        (r) => r.rowCount,
        (error: { code?: string }) => error.code,
      );
      await renewal.query('COMMIT');
      const [reported] = await Promise.allSettled([report]);
      expect([reported.status, renewedLo]).toEqual(['fulfilled', 0]);
      expect((reported as PromiseFulfilledResult<Awaited<typeof report>>).value.map((r) => r.sessionId).filter((id) => id === lo || id === hi)).toEqual([lo]);
    } finally {
      renewal.release();
    }
    // the turn it skipped is reported by the next call
    expect((await reportInterruptedTurns(database.pool, 1_000)).map((r) => r.sessionId).filter((id) => id === lo || id === hi)).toEqual([hi]);
  }, 20_000);
});
