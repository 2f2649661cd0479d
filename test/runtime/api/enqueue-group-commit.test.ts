/**
 * The API's group commit of messages against a real Postgres: a burst of messages to many
 * sessions is one statement with each message stored as its session's turn; two messages of
 * one session keep their order across statements; a statement's per-session outcomes (not
 * found, another team, queue full) stay per message; a message the database refuses fails
 * alone; a statement stays under its character budget; a deadlock is rolled back and retried.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { EnqueueGroupCommit } from '../../../runtime/api/enqueue-group-commit.ts';
import { listEvents } from '../../../runtime/store/events.ts';
import { createSession } from '../../../runtime/store/sessions.ts';
import type { EnqueueRequest } from '../../../runtime/store/turns.ts';
import { useMigratedDatabase } from '../support/postgres.ts';

const database = useMigratedDatabase();

const message = (sessionId: string, input: string, extra: Partial<EnqueueRequest> = {}): EnqueueRequest => ({ sessionId, team: 't', input, maxQueued: 10, ...extra });

describe('EnqueueGroupCommit', () => {
  it('stores a burst of messages to many sessions in one statement, each as its session\'s next turn', async () => {
    const sessions = await Promise.all(Array.from({ length: 300 }, () => createSession(database.pool, { team: 't', harness: 'scripted' })));
    const commit = new EnqueueGroupCommit(database.pool);
    const results = await Promise.all(sessions.map((s, i) => commit.enqueue(message(s.id, `hello ${i}`))));
    expect(commit.statements).toBe(1);
    for (const [i, result] of results.entries()) {
      if (!result.ok) throw new Error(`message ${i}: ${result.reason}`);
      expect(result.turn).toMatchObject({ sessionId: sessions[i]!.id, turn: 1, state: 'queued', input: `hello ${i}` });
      expect(result.events.map((e) => [e.seq, e.event])).toEqual([[1, { type: 'user_message', text: `hello ${i}` }]]);
    }
    const stored = await listEvents(database.pool, sessions[123]!.id, 0, 10);
    expect(stored.map((e) => e.event)).toEqual([{ type: 'user_message', text: 'hello 123' }]);
  });

  it('keeps two messages of one session in order, in two statements', async () => {
    const session = await createSession(database.pool, { team: 't', harness: 'scripted' });
    const commit = new EnqueueGroupCommit(database.pool);
    const [first, second] = await Promise.all([commit.enqueue(message(session.id, 'first')), commit.enqueue(message(session.id, 'second'))]);
    expect(commit.statements).toBe(2);
    expect([first, second].map((r) => (r.ok ? [r.turn.turn, r.turn.input, r.events[0]!.seq] : r.reason))).toEqual([
      [1, 'first', 1],
      [2, 'second', 2],
    ]);
  });

  it('answers each message of a statement for its own session: stored, not found, another team\'s, queue full', async () => {
    const ours = await createSession(database.pool, { team: 't', harness: 'scripted' });
    const theirs = await createSession(database.pool, { team: 'other', harness: 'scripted' });
    const full = await createSession(database.pool, { team: 't', harness: 'scripted' });
    const commit = new EnqueueGroupCommit(database.pool);
    await commit.enqueue(message(full.id, 'fills the queue', { maxQueued: 1 }));
    const results = await Promise.all([
      commit.enqueue(message(ours.id, 'fine')),
      commit.enqueue(message('00000000-0000-4000-8000-000000000000', 'nobody')),
      commit.enqueue(message(theirs.id, 'not yours')),
      commit.enqueue(message(full.id, 'one too many', { maxQueued: 1 })),
    ]);
    expect(commit.statements).toBe(2);
    expect(results.map((r) => (r.ok ? r.turn.input : r.reason))).toEqual(['fine', 'not_found', 'not_found', 'too_many_queued']);
    expect((await listEvents(database.pool, full.id, 0, 10)).map((e) => e.event)).toEqual([{ type: 'user_message', text: 'fills the queue' }]);
  });

  it('fails only the message the database refuses: the others of its statement are stored one by one', async () => {
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => createSession(database.pool, { team: 't', harness: 'scripted' })));
    const commit = new EnqueueGroupCommit(database.pool);
    // the API refuses a NUL with a 400 (schemas.ts); here it stands for any message Postgres refuses
    const results = await Promise.allSettled([commit.enqueue(message(a!.id, 'fine a')), commit.enqueue(message(b!.id, 'bad \u0000 text')), commit.enqueue(message(c!.id, 'fine c'))]);
    expect(results.map((r) => (r.status === 'fulfilled' ? (r.value.ok ? r.value.turn.input : r.value.reason) : (r.reason as { code?: string }).code))).toEqual(['fine a', '22P05', 'fine c']);
    // the statement of three, then one per message
    expect(commit.statements).toBe(4);
    expect((await listEvents(database.pool, b!.id, 0, 10)).map((e) => e.event)).toEqual([]);
  });

  it('keeps a statement under its character budget; a message alone always goes', async () => {
    const sessions = await Promise.all([0, 1, 2].map(() => createSession(database.pool, { team: 't', harness: 'scripted' })));
    const commit = new EnqueueGroupCommit(database.pool, { maxChars: 10 });
    const results = await Promise.all(sessions.map((s, i) => commit.enqueue(message(s.id, `${'x'.repeat(6)}${i}`))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(commit.statements).toBe(3);
    const big = await createSession(database.pool, { team: 't', harness: 'scripted' });
    expect((await commit.enqueue(message(big.id, 'y'.repeat(50)))).ok).toBe(true);
  });

  it('runs a statement again when Postgres rolled it back to break a deadlock', async () => {
    const [a, b] = (await Promise.all([createSession(database.pool, { team: 't', harness: 'scripted' }), createSession(database.pool, { team: 't', harness: 'scripted' })])).sort((x, y) => (x.id < y.id ? -1 : 1));
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      // another transaction holds b; the statement locks a, then waits for b
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [b!.id]);
      const commit = new EnqueueGroupCommit(database.pool);
      const stored = Promise.all([commit.enqueue(message(a!.id, 'to a')), commit.enqueue(message(b!.id, 'to b'))]);
      await expect.poll(async () => (await database.pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")).rows[0].n, { timeout: 5_000 }).toBe(1);
      // ... and now wants a: a cycle. Postgres aborts the statement that waited first, the
      // enqueue, which frees a for this transaction; the enqueue runs again once it commits
      const takesA = other.query('UPDATE sessions SET updated_at = now() WHERE id = $1', [a!.id]);
      await takesA;
      await other.query('COMMIT');
      const results = await stored;
      expect(results.map((r) => (r.ok ? [r.turn.input, r.turn.turn] : r.reason))).toEqual([
        ['to a', 1],
        ['to b', 1],
      ]);
      expect(commit.statements).toBe(2);
    } finally {
      await other.end();
    }
  }, 20_000);
});
