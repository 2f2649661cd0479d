/** A replica's group commit of turn events: many turns per statement, per-session seqs, fencing, failures. */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPool } from '../../../runtime/db/pool.ts';
import { GroupCommit } from '../../../runtime/executor/group-commit.ts';
import type { SessionEvent } from '../../../runtime/session-events.ts';
import { LeaseLostError, listEvents } from '../../../runtime/store/events.ts';
import { createSession } from '../../../runtime/store/sessions.ts';
import { claimTurns, enqueueTurn } from '../../../runtime/store/turns.ts';
import { useMigratedDatabase } from '../support/postgres.ts';

const database = useMigratedDatabase({ max: 10 });

/** A session whose turn 1 runs under `owner` (its `user_message` is seq 1). */
async function runningTurn(owner: string): Promise<string> {
  const session = await createSession(database.pool, { team: 't', harness: 'scripted' });
  await enqueueTurn(database.pool, session.id, 't', 'go', 10, { owner, leaseMs: 60_000, historyMaxChars: 1_000 });
  return session.id;
}

const deltas = (prefix: string, n: number): SessionEvent[] => Array.from({ length: n }, (_, i) => ({ type: 'text_delta', text: `${prefix}${i} ` }));

describe('GroupCommit', () => {
  it('commits the appends of many turns together, each session gap-free and in order, visible when resolved', async () => {
    const owner = 'replica-a/1';
    const sessions = await Promise.all(Array.from({ length: 40 }, () => runningTurn(owner)));
    const commit = new GroupCommit(database.pool, { maxInFlight: 1 });
    const observer = new pg.Pool({ connectionString: database.url, max: 4 });
    try {
      const rounds = 3;
      for (let round = 0; round < rounds; round++) {
        await Promise.all(
          sessions.map(async (id) => {
            const stored = await commit.append(id, 1, owner, deltas(`r${round}-`, 5));
            expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 5 }, (_, i) => 2 + round * 5 + i));
            // committed before the promise resolves: another connection sees the rows already
            const { rows } = await observer.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE session_id = $1 AND seq = ANY($2::bigint[])', [id, stored.map((e) => e.seq)]);
            expect(rows[0]!.n).toBe(5);
          }),
        );
      }
      // 120 appends of 40 turns in a handful of statements, not one each
      expect(commit.statements).toBeLessThanOrEqual(rounds * 3);
      for (const id of sessions) {
        const events = await listEvents(database.pool, id, 1, 100);
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 2));
        expect(events.map((e) => (e.event as { text: string }).text).join('')).toBe([0, 1, 2].map((r) => deltas(`r${r}-`, 5).map((d) => (d as { text: string }).text).join('')).join(''));
      }
    } finally {
      await observer.end();
    }
  });

  it('fences each turn by its lease: a lost one is refused, the others in the statement are written', async () => {
    const owner = 'replica-b/1';
    const mine = await runningTurn(owner);
    const taken = await runningTurn('replica-c/1');
    const commit = new GroupCommit(database.pool, { maxInFlight: 1 });
    const [ok, lost] = await Promise.allSettled([commit.append(mine, 1, owner, deltas('m', 2)), commit.append(taken, 1, owner, deltas('x', 2))]);
    expect(commit.statements).toBe(1);
    expect(ok).toMatchObject({ status: 'fulfilled', value: [{ seq: 2 }, { seq: 3 }] });
    expect(lost.status === 'rejected' && lost.reason).toBeInstanceOf(LeaseLostError);
    expect((await listEvents(database.pool, taken, 0, 10)).map((e) => e.event.type)).toEqual(['user_message']);
  });

  it('keeps two appends of one session apart (one statement holds a session once), in order', async () => {
    const owner = 'replica-d/1';
    const id = await runningTurn(owner);
    const other = await runningTurn(owner);
    const commit = new GroupCommit(database.pool, { maxInFlight: 2 });
    const [first, second, third] = await Promise.all([commit.append(id, 1, owner, deltas('a', 3)), commit.append(id, 1, owner, deltas('b', 2)), commit.append(other, 1, owner, deltas('c', 1))]);
    expect(first.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(second.map((e) => e.seq)).toEqual([5, 6]);
    expect(third.map((e) => e.seq)).toEqual([2]);
    expect(commit.statements).toBe(2);
  });

  it('bounds a statement by its event count', async () => {
    const owner = 'replica-e/1';
    const sessions = await Promise.all(Array.from({ length: 6 }, () => runningTurn(owner)));
    const commit = new GroupCommit(database.pool, { maxInFlight: 1, maxEvents: 10 });
    await Promise.all(sessions.map((id) => commit.append(id, 1, owner, deltas('z', 4))));
    // 24 events, at most 10 (two appends of 4) per statement
    expect(commit.statements).toBe(3);
  });

  it('rejects every append of a statement that failed, and goes on with the next', async () => {
    const owner = 'replica-f/1';
    const id = await runningTurn(owner);
    const broken = createPool({ connectionString: database.url, max: 1 });
    await broken.end();
    const failing = new GroupCommit(broken, { maxInFlight: 1 });
    const results = await Promise.allSettled([failing.append(id, 1, owner, deltas('q', 1)), failing.append(id, 1, owner, deltas('r', 1))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await listEvents(database.pool, id, 1, 10)).length).toBe(0);
    const working = new GroupCommit(database.pool);
    expect((await working.append(id, 1, owner, deltas('s', 1))).map((e) => e.seq)).toEqual([2]);
  });
});
