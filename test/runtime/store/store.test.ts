/** The Postgres store: event seqs, lease fencing, claiming with SKIP LOCKED, history, group commit. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../runtime/db/migrate.ts';
import { createPool } from '../../../runtime/db/pool.ts';
import { EventWriter } from '../../../runtime/executor/event-writer.ts';
import { appendEvents, LeaseLostError, listEvents } from '../../../runtime/store/events.ts';
import { createSession } from '../../../runtime/store/sessions.ts';
import { TURNS_CHANNEL } from '../../../runtime/store/channels.ts';
import { bindAndDispatch, claimTurns, continueHistory, enqueueTurn, expireLeasesOfPreviousInstances, finishTurn, historyBefore, historyMessages, markDispatched } from '../../../runtime/store/turns.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

let server: TestPostgres;
let pool: pg.Pool;
let databaseUrl: string;
beforeAll(async () => {
  server = await startTestPostgres();
  databaseUrl = await server.createDatabase();
  pool = createPool({ connectionString: databaseUrl, max: 30 });
  await applyMigrations(pool);
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

const newSession = () => createSession(pool, { team: 't', harness: 'scripted' });

describe('event log', () => {
  it('hands out unique, gap-free seqs under concurrent appends', async () => {
    const session = await newSession();
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendEvents(pool, session.id, null, [{ type: 'status', message: `a${i}` }, { type: 'status', message: `b${i}` }])));
    const events = await listEvents(pool, session.id, 0, 100);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // each append's events are adjacent and in order
    for (let i = 0; i < 40; i += 2) expect((events[i + 1]!.event as { message: string }).message).toBe((events[i]!.event as { message: string }).message.replace('a', 'b'));
  });

  it('fences writes of a turn by its lease owner', async () => {
    const session = await newSession();
    await enqueueTurn(pool, session.id, 't', 'hi', 10);
    const [claimed] = await claimTurns(pool, 'owner-1/x', 10, 60_000);
    expect(claimed).toMatchObject({ sessionId: session.id, turn: 1, previousState: 'queued' });
    await expect(appendEvents(pool, session.id, 1, [{ type: 'status', message: 'intruder' }], { owner: 'owner-2/y' })).rejects.toBeInstanceOf(LeaseLostError);
    await appendEvents(pool, session.id, 1, [{ type: 'status', message: 'owner' }], { owner: 'owner-1/x' });
    const events = await listEvents(pool, session.id, 0, 10);
    expect(events.map((e) => e.event.type)).toEqual(['user_message', 'status']);
  });

  it('writes a fast stream in few round trips, in order, durable before it is published', async () => {
    const session = await newSession();
    await enqueueTurn(pool, session.id, 't', 'go', 10);
    await claimTurns(pool, 'writer/1', 10, 60_000);
    const published: number[] = [];
    let writes = 0;
    const writer = new EventWriter({ pool, sessionId: session.id, turn: 1, owner: 'writer/1', afterSeq: 1, onStored: (stored) => {
      writes++;
      published.push(...stored.map((e) => e.seq));
    }, onDatabaseError: () => undefined });
    for (let i = 0; i < 2_000; i++) writer.push({ type: 'text_delta', text: `${i} ` });
    await writer.flush();
    expect(published).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 2));
    expect(writes).toBeLessThan(50);
    const stored = await listEvents(pool, session.id, 1, 5_000);
    expect(stored.map((e) => (e.event as { text: string }).text).join('')).toBe(Array.from({ length: 2_000 }, (_, i) => `${i} `).join(''));
  });
});

describe('turn ownership', () => {
  it('gives every runnable turn to exactly one of many concurrent claimers', async () => {
    const sessions = await Promise.all(Array.from({ length: 30 }, () => newSession()));
    for (const s of sessions) await enqueueTurn(pool, s.id, 't', 'x', 10);
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimTurns(pool, `replica-${i}/a`, 10, 60_000)));
    const keys = claims.flat().filter((c) => sessions.some((s) => s.id === c.sessionId)).map((c) => c.sessionId);
    expect(new Set(keys).size).toBe(keys.length);
    const rest = await claimTurns(pool, 'late/a', 100, 60_000);
    expect(keys.length + rest.filter((c) => sessions.some((s) => s.id === c.sessionId)).length).toBe(30);
  });

  it('runs a session\'s turns one after another', async () => {
    const session = await newSession();
    await enqueueTurn(pool, session.id, 't', 'one', 10);
    await enqueueTurn(pool, session.id, 't', 'two', 10);
    const first = (await claimTurns(pool, 'seq/a', 100, 60_000)).filter((c) => c.sessionId === session.id);
    expect(first.map((c) => c.turn)).toEqual([1]);
    expect((await claimTurns(pool, 'seq/a', 100, 60_000)).filter((c) => c.sessionId === session.id)).toEqual([]);
    await finishTurn(pool, 'seq/a', session.id, 1, [{ type: 'done', stopReason: 'end_turn' }], { state: 'completed', stopReason: 'end_turn', output: 'ok' });
    expect((await claimTurns(pool, 'seq/a', 100, 60_000)).filter((c) => c.sessionId === session.id).map((c) => c.turn)).toEqual([2]);
  });

  it('hands a turn to another owner once its lease expired, reporting it was running', async () => {
    const session = await newSession();
    await enqueueTurn(pool, session.id, 't', 'long', 10);
    await claimTurns(pool, 'dead-replica/1', 100, 200);
    await markDispatched(pool, 'dead-replica/1', session.id, 1, { type: 'turn_started', attempt: 1, sandboxGeneration: 1 });
    expect((await claimTurns(pool, 'other/1', 100, 60_000)).filter((c) => c.sessionId === session.id)).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    const [taken] = (await claimTurns(pool, 'other/1', 100, 60_000)).filter((c) => c.sessionId === session.id);
    expect(taken).toMatchObject({ previousState: 'running', dispatched: true, attempts: 2, leaseOwner: 'other/1' });
    await expect(appendEvents(pool, session.id, 1, [{ type: 'status', message: 'zombie' }], { owner: 'dead-replica/1' })).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('expires at once the leases of an earlier process of the same replica', async () => {
    const session = await newSession();
    await enqueueTurn(pool, session.id, 't', 'x', 10);
    await claimTurns(pool, 'pod-7/old', 100, 60_000);
    expect(await expireLeasesOfPreviousInstances(pool, 'pod-7', 'pod-7/new')).toBe(1);
    const [taken] = (await claimTurns(pool, 'pod-7/new', 100, 60_000)).filter((c) => c.sessionId === session.id);
    expect(taken).toMatchObject({ previousState: 'running', turn: 1 });
    expect(await expireLeasesOfPreviousInstances(pool, 'pod-7%', 'x/y')).toBe(0);
  });
});

describe('history', () => {
  it('hands over what the harness saw, oldest first, trimmed from the oldest end', async () => {
    const session = await newSession();
    for (const [i, text] of ['first', 'second', 'third'].entries()) {
      await enqueueTurn(pool, session.id, 't', text, 10);
      await claimTurns(pool, 'h/1', 100, 60_000);
      await markDispatched(pool, 'h/1', session.id, i + 1, { type: 'turn_started', attempt: 1, sandboxGeneration: 1 });
      await finishTurn(pool, 'h/1', session.id, i + 1, [{ type: 'done', stopReason: 'end_turn' }], { state: i === 1 ? 'failed' : 'completed', stopReason: 'end_turn', output: i === 1 ? '' : `answer ${i + 1}` });
    }
    expect(await historyBefore(pool, session.id, 4, 10_000)).toEqual([
      { role: 'user', text: 'first' },
      { role: 'assistant', text: 'answer 1' },
      { role: 'user', text: 'second' },
      { role: 'user', text: 'third' },
      { role: 'assistant', text: 'answer 3' },
    ]);
    expect(await historyBefore(pool, session.id, 4, 90)).toEqual([{ role: 'user', text: 'third' }, { role: 'assistant', text: 'answer 3' }]);
  });
});

describe('claiming a turn with its message (no trusted sandbox)', () => {
  const claimer = { owner: 'api/1', leaseMs: 60_000, historyMaxChars: 10_000 };
  const turnRow = async (sessionId: string, turn: number) =>
    (await pool.query('SELECT state, dispatched, attempts, lease_owner, lease_expires_at > now() AS leased FROM turns WHERE session_id = $1 AND turn = $2', [sessionId, turn])).rows[0];

  it('leases the turn to the replica taking the message, without announcing it to the others', async () => {
    const session = await newSession();
    const listener = new pg.Client({ connectionString: databaseUrl });
    await listener.connect();
    const announced: string[] = [];
    listener.on('notification', (n) => n.channel === TURNS_CHANNEL && announced.push(n.payload ?? ''));
    await listener.query(`LISTEN ${TURNS_CHANNEL}`);
    try {
      const result = await enqueueTurn(pool, session.id, 't', 'first words', 10, claimer);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.dispatched).toBeUndefined();
      expect(result.claimed).toMatchObject({ sessionId: session.id, turn: 1, state: 'running', dispatched: false, attempts: 1, previousState: 'queued', team: 't', harness: 'scripted', sessionState: 'active', binding: undefined });
      expect(result.turn.state).toBe('running');
      expect(result.events.map((e) => e.event.type)).toEqual(['user_message']);
      expect(await turnRow(session.id, 1)).toEqual({ state: 'running', dispatched: false, attempts: 1, lease_owner: 'api/1', leased: true });
      // nobody else can take it, and the lease fences its writes like a claimed turn's
      expect((await claimTurns(pool, 'other/2', 100, 60_000)).filter((c) => c.sessionId === session.id)).toEqual([]);
      await expect(appendEvents(pool, session.id, 1, [{ type: 'status', message: 'intruder' }], { owner: 'other/2' })).rejects.toBeInstanceOf(LeaseLostError);
      const dispatched = await markDispatched(pool, 'api/1', session.id, 1, { type: 'turn_started', attempt: 1, sandboxGeneration: 1 });
      expect(dispatched.history).toEqual([]);
      await listener.query('SELECT 1'); // flush pending notifications
      expect(announced).toEqual([]);
    } finally {
      await listener.end();
    }
  });

  it('claims for one message only when two reach an idle session at once', async () => {
    const session = await newSession();
    // hold the session's row lock until both statements have taken their snapshot and wait for it
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [session.id]);
      const both = Promise.all([enqueueTurn(pool, session.id, 't', 'a', 10, { ...claimer, owner: 'api/a' }), enqueueTurn(pool, session.id, 't', 'b', 10, { ...claimer, owner: 'api/b' })]);
      for (let waiting = 0; waiting < 2; ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        waiting = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n;
      }
      await holder.query('COMMIT');
      const results = await both;
      expect(results.map((r) => r.ok && r.claimed !== undefined).sort()).toEqual([false, true]);
      const turns = await pool.query('SELECT turn, state, lease_owner FROM turns WHERE session_id = $1 ORDER BY turn', [session.id]);
      expect(turns.rows.map((t) => t.state)).toEqual(['running', 'queued']);
      expect(turns.rows[1].lease_owner).toBeNull();
    } finally {
      holder.release();
    }
  });

  it('hands the runner the session\'s sandbox to check, and queues the message behind an unfinished turn', async () => {
    const session = await newSession();
    await pool.query("INSERT INTO sandbox_bindings (session_id, driver, sandbox_id, sandbox_name, namespace, endpoint, token, generation) VALUES ($1, 'local', $2, '0', 'team-t', 'http://127.0.0.1:9', 'tok-tok-tok-tok-tok-tok-tok-tok-tok', 3)", [session.id, `sb-${session.id}`]);
    const first = await enqueueTurn(pool, session.id, 't', 'one', 10, claimer);
    expect(first.ok && first.claimed?.binding).toMatchObject({ sandboxId: `sb-${session.id}`, generation: 3 });
    // a trusted sandbox that is not the session's (replaced meanwhile) dispatches nothing either
    const second = await enqueueTurn(pool, session.id, 't', 'two', 10, { ...claimer, sandboxId: `sb-${session.id}` });
    expect(second.ok && [second.turn.state, second.claimed, second.dispatched]).toEqual(['queued', undefined, undefined]);
    expect(await turnRow(session.id, 2)).toEqual({ state: 'queued', dispatched: false, attempts: 0, lease_owner: null, leased: null });
    await finishTurn(pool, 'api/1', session.id, 1, [{ type: 'done', stopReason: 'end_turn' }], { state: 'completed', stopReason: 'end_turn', output: 'a' });
    const [next] = (await claimTurns(pool, 'other/2', 100, 60_000)).filter((c) => c.sessionId === session.id);
    expect(next).toMatchObject({ turn: 2, attempts: 1 });
  });

  it('dispatches nothing to a sandbox the session is no longer bound to', async () => {
    const session = await newSession();
    await pool.query("INSERT INTO sandbox_bindings (session_id, driver, sandbox_id, sandbox_name, namespace, endpoint, token, generation) VALUES ($1, 'local', 'sb-new', '0', 'team-t', 'http://127.0.0.1:9', 'tok-tok-tok-tok-tok-tok-tok-tok-tok', 2)", [session.id]);
    const result = await enqueueTurn(pool, session.id, 't', 'hi', 10, { ...claimer, sandboxId: 'sb-old' });
    expect(result.ok && result.dispatched).toBeUndefined();
    expect(result.ok && result.claimed?.binding?.sandboxId).toBe('sb-new');
    expect(result.ok && result.events.map((e) => e.event.type)).toEqual(['user_message']);
  });
});

describe('binding a new sandbox with the dispatch', () => {
  const sandbox = (id: string) => ({ driver: 'local' as const, sandboxId: id, sandboxName: '42', namespace: 'team-t', endpoint: 'http://127.0.0.1:9', token: 'tok-tok-tok-tok-tok-tok-tok-tok-tok' });
  const claimed = async () => {
    const session = await newSession();
    await enqueueTurn(pool, session.id, 't', 'hello', 10);
    await claimTurns(pool, `owner-${session.id}`, 100, 60_000);
    return { session, owner: `owner-${session.id}` };
  };
  const state = async (sessionId: string) => ({
    turn: (await pool.query('SELECT dispatched FROM turns WHERE session_id = $1 AND turn = 1', [sessionId])).rows[0],
    binding: (await pool.query('SELECT sandbox_id, generation FROM sandbox_bindings WHERE session_id = $1', [sessionId])).rows,
    events: (await listEvents(pool, sessionId, 0, 10)).map((e) => e.event.type),
  });

  it('binds, announces and dispatches in one statement, fenced by the lease', async () => {
    const { session, owner } = await claimed();
    await expect(bindAndDispatch(pool, 'intruder/1', session.id, 1, sandbox('sb-x'), 1)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await state(session.id)).toEqual({ turn: { dispatched: false }, binding: [], events: ['user_message'] });
    const result = await bindAndDispatch(pool, owner, session.id, 1, sandbox('sb-1'), 1);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.binding).toMatchObject({ sessionId: session.id, sandboxId: 'sb-1', sandboxName: '42', generation: 1 });
    expect(result.abortRequested).toBe(false);
    expect(result.history).toEqual([]);
    // what is published is what was stored
    const stored = await listEvents(pool, session.id, 0, 10);
    expect(result.events.map((e) => [e.seq, e.event])).toEqual(stored.slice(1).map((e) => [e.seq, e.event]));
    expect(result.events.map((e) => e.event)).toEqual([{ type: 'sandbox', action: 'acquired', generation: 1 }, { type: 'turn_started', attempt: 1, sandboxGeneration: 1 }]);
    expect(await state(session.id)).toEqual({ turn: { dispatched: true }, binding: [{ sandbox_id: 'sb-1', generation: 1 }], events: ['user_message', 'sandbox', 'turn_started'] });
  });

  it('queues a superseded sandbox for release, and writes nothing for an ended session', async () => {
    const { session, owner } = await claimed();
    await pool.query("INSERT INTO sandbox_bindings (session_id, driver, sandbox_id, sandbox_name, namespace, endpoint, token, generation) VALUES ($1, 'local', $2, '0', 'team-t', 'http://127.0.0.1:9', 'tok-tok-tok-tok-tok-tok-tok-tok-tok', 1)", [session.id, `old-${session.id}`]);
    await pool.query('UPDATE sessions SET sandbox_generation = 1 WHERE id = $1', [session.id]);
    const result = await bindAndDispatch(pool, owner, session.id, 1, sandbox(`new-${session.id}`), 1);
    expect(result.ok && result.binding.generation).toBe(2);
    expect((await pool.query('SELECT sandbox_id FROM sandbox_releases WHERE sandbox_id = $1', [`old-${session.id}`])).rowCount).toBe(1);

    const ended = await claimed();
    await pool.query("UPDATE sessions SET state = 'ended' WHERE id = $1", [ended.session.id]);
    expect(await bindAndDispatch(pool, ended.owner, ended.session.id, 1, sandbox('sb-late'), 1)).toEqual({ ok: false, reason: 'session_not_active' });
    expect(await state(ended.session.id)).toEqual({ turn: { dispatched: false }, binding: [], events: ['user_message'] });
  });

  it('is idempotent: run again after its commit (an answer lost), it answers what it wrote and binds nothing twice', async () => {
    const { session, owner } = await claimed();
    const first = await bindAndDispatch(pool, owner, session.id, 1, sandbox(`sb-${session.id}`), 1);
    const again = await bindAndDispatch(pool, owner, session.id, 1, sandbox(`sb-${session.id}`), 1);
    expect(again).toEqual(first);
    expect(await state(session.id)).toEqual({ turn: { dispatched: true }, binding: [{ sandbox_id: `sb-${session.id}`, generation: 1 }], events: ['user_message', 'sandbox', 'turn_started'] });
    expect((await pool.query('SELECT sandbox_generation, last_seq FROM sessions WHERE id = $1', [session.id])).rows[0]).toEqual({ sandbox_generation: 1, last_seq: 3 });
    // the turn dispatched to another sandbox than this one: not this caller's dispatch, nothing written
    await expect(bindAndDispatch(pool, owner, session.id, 1, sandbox('sb-other'), 1)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await pool.query('SELECT count(*)::int AS n FROM sandbox_releases WHERE sandbox_id = $1', [`sb-${session.id}`])).rows[0]).toEqual({ n: 0 });
    expect(await state(session.id)).toEqual({ turn: { dispatched: true }, binding: [{ sandbox_id: `sb-${session.id}`, generation: 1 }], events: ['user_message', 'sandbox', 'turn_started'] });
    // the turn has another owner now: the retry is refused by the statement's own lease fence
    await pool.query("UPDATE turns SET lease_owner = 'another/1' WHERE session_id = $1", [session.id]);
    await expect(bindAndDispatch(pool, owner, session.id, 1, sandbox(`sb-${session.id}`), 1)).rejects.toBeInstanceOf(LeaseLostError);
  });

  describe("a retry's read-back, when the turn moves between its two statements", () => {
    /** the pool, with `between` run right after the retry's first statement answers (a real interleaving, staged) */
    const interleaved = (between: () => Promise<unknown>): Pick<pg.Pool, 'query'> => {
      let statements = 0;
      return {
        query: (async (...args: Parameters<pg.Pool['query']>) => {
          const result = await (pool.query as (...a: unknown[]) => Promise<unknown>)(...args);
          if (++statements === 1) await between();
          return result;
        }) as pg.Pool['query'],
      };
    };
    const retried = async (between: (sessionId: string) => Promise<unknown>) => {
      const { session, owner } = await claimed();
      await bindAndDispatch(pool, owner, session.id, 1, sandbox(`sb-${session.id}`), 1);
      const before = await state(session.id);
      const retry = bindAndDispatch(interleaved(() => between(session.id)), owner, session.id, 1, sandbox(`sb-${session.id}`), 1);
      return { retry, session, before };
    };

    it('refuses when another replica took the lease', async () => {
      const { retry, session, before } = await retried((id) => pool.query("UPDATE turns SET lease_owner = 'another/1' WHERE session_id = $1", [id]));
      await expect(retry).rejects.toBeInstanceOf(LeaseLostError);
      expect(await state(session.id)).toEqual(before);
    });

    it('refuses when the turn is no longer running', async () => {
      const { retry, session, before } = await retried((id) => pool.query("UPDATE turns SET state = 'interrupted' WHERE session_id = $1", [id]));
      await expect(retry).rejects.toBeInstanceOf(LeaseLostError);
      expect(await state(session.id)).toEqual(before);
    });

    it('refuses when the session was bound again (a newer generation): those are not the dispatch it wrote', async () => {
      const { retry, session, before } = await retried((id) => pool.query('WITH s AS (UPDATE sessions SET sandbox_generation = 2 WHERE id = $1) UPDATE sandbox_bindings SET generation = 2 WHERE session_id = $1', [id]));
      await expect(retry).rejects.toBeInstanceOf(LeaseLostError);
      expect(await state(session.id)).toEqual({ ...before, binding: [{ ...before.binding[0], generation: 2 }] });
      expect((await pool.query('SELECT count(*)::int AS n FROM events WHERE session_id = $1', [session.id])).rows[0]).toEqual({ n: 3 });
    });

    it('answers what the first run wrote when nothing moved (the staging itself changes nothing)', async () => {
      const { retry, before } = await retried(() => Promise.resolve());
      const answer = await retry;
      expect(answer.ok && answer.binding.sandboxId).toBe(before.binding[0]!.sandbox_id);
      expect(answer.ok && answer.events.map((e) => e.event.type)).toEqual(['sandbox', 'turn_started']);
    });
  });
});

describe('history carried over from memory (fast dispatch)', () => {
  async function sessionWithTurns(inputs: readonly string[]) {
    const session = await newSession();
    await pool.query("INSERT INTO sandbox_bindings (session_id, driver, sandbox_id, sandbox_name, namespace, endpoint, token, generation) VALUES ($1, 'local', $2, '0', 'team-t', 'http://127.0.0.1:9', 'tok-tok-tok-tok-tok-tok-tok-tok-tok', 1)", [session.id, `sb-${session.id}`]);
    for (const [i, text] of inputs.entries()) {
      const fast = { owner: 'f/1', leaseMs: 60_000, sandboxId: `sb-${session.id}`, historyMaxChars: 10_000 };
      const result = await enqueueTurn(pool, session.id, 't', text, 10, fast);
      expect(result.ok && result.dispatched).toBeTruthy();
      await finishTurn(pool, 'f/1', session.id, i + 1, [{ type: 'done', stopReason: 'end_turn' }], { state: 'completed', stopReason: 'end_turn', output: `answer ${i + 1}` });
    }
    return session;
  }

  it('uses the known conversation when it ends right before the new turn', async () => {
    const session = await sessionWithTurns(['one', 'two']);
    // deliberately different from the database, to see which one is used
    const known = { throughTurn: 2, history: [{ role: 'user' as const, text: 'remembered' }] };
    const result = await enqueueTurn(pool, session.id, 't', 'three', 10, { owner: 'f/1', leaseMs: 60_000, sandboxId: `sb-${session.id}`, historyMaxChars: 10_000, knownHistory: known });
    expect(result.ok && result.dispatched?.history).toEqual(known.history);
  });

  it('builds the conversation from the turns table when the known one is stale', async () => {
    const session = await sessionWithTurns(['one', 'two']);
    const stale = { throughTurn: 1, history: [{ role: 'user' as const, text: 'remembered' }] };
    const result = await enqueueTurn(pool, session.id, 't', 'three', 10, { owner: 'f/1', leaseMs: 60_000, sandboxId: `sb-${session.id}`, historyMaxChars: 10_000, knownHistory: stale });
    expect(result.ok && result.dispatched?.history).toEqual([
      { role: 'user', text: 'one' },
      { role: 'assistant', text: 'answer 1' },
      { role: 'user', text: 'two' },
      { role: 'assistant', text: 'answer 2' },
    ]);
  });

  it('continues a trimmed conversation exactly as trimming the whole one would', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 50; run++) {
      const maxChars = 50 + Math.floor(random() * 400);
      const turns = Array.from({ length: 12 }, (_, i) => ({ input: `in${i}-${'x'.repeat(Math.floor(random() * 60))}`, output: random() < 0.2 ? '' : `out${i}-${'y'.repeat(Math.floor(random() * 80))}` }));
      let carried = historyMessages([], maxChars);
      for (const [i, turn] of turns.entries()) {
        carried = continueHistory(carried, turn, maxChars);
        expect(carried).toEqual(historyMessages(turns.slice(0, i + 1), maxChars));
      }
    }
  });
});

describe('long sessions', () => {
  it('reads neither a session\'s finished turns nor every session when enqueueing, claiming and dispatching', async () => {
    const db = createPool({ connectionString: await server.createDatabase(), max: 4 });
    const explaining = new pg.Client({ connectionString: db.options.connectionString });
    try {
      await applyMigrations(db);
      const session = await createSession(db, { team: 't', harness: 'scripted' });
      const finished = 2_000;
      await db.query("INSERT INTO turns (session_id, turn, input, state, dispatched, attempts, output, finished_at) SELECT $1, g, 'm', 'completed', true, 1, 'r', now() FROM generate_series(1, $2::int) AS g", [session.id, finished]);
      await db.query('UPDATE sessions SET last_turn = $2 WHERE id = $1', [session.id, finished]);
      // a thousand other sessions with 30 finished turns each and one running on a live lease
      await db.query("INSERT INTO sessions (id, team, harness, last_turn) SELECT gen_random_uuid(), 't', 'scripted', 31 FROM generate_series(1, 1000)");
      await db.query("INSERT INTO turns (session_id, turn, input, state, dispatched, attempts, output, finished_at) SELECT id, g, 'm', 'completed', true, 1, 'r', now() FROM sessions, generate_series(1, 30) AS g WHERE id <> $1", [session.id]);
      await db.query("INSERT INTO turns (session_id, turn, input, state, dispatched, attempts, lease_owner, lease_expires_at) SELECT id, 31, 'm', 'running', true, 1, 'elsewhere/1', now() + interval '1 hour' FROM sessions WHERE id <> $1", [session.id]);
      await db.query('ANALYZE');
      // auto_explain reports the executed plan of each statement to this client; generic plans,
      // as on the runtime's connections (db/pool.ts)
      await explaining.connect();
      const plans: string[] = [];
      explaining.on('notice', (notice) => plans.push(notice.message ?? ''));
      await explaining.query("SET plan_cache_mode = force_generic_plan; LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on; SET auto_explain.log_level = notice");
      await enqueueTurn(explaining, session.id, 't', 'one more', 10);
      await enqueueTurn(explaining, session.id, 't', 'and another', 10);
      expect((await claimTurns(explaining, 'long/1', 10, 60_000)).map((c) => c.turn)).toEqual([finished + 1]);
      const dispatched = await markDispatched(explaining, 'long/1', session.id, finished + 1, { type: 'turn_started', attempt: 1, sandboxGeneration: 1 });
      expect(dispatched.history).toHaveLength(2 * finished);
      expect(plans).toHaveLength(4);
      for (const plan of plans) {
        expect(plan).not.toMatch(/Seq Scan on (turns|sessions)/);
        // a plan that walked this session's turns (or a table) would drop thousands of rows
        const removed = [...plan.matchAll(/Rows Removed by (?:Join )?Filter: (\d+)/g)].map((m) => Number(m[1]));
        expect(Math.max(0, ...removed)).toBeLessThan(finished);
      }
    } finally {
      await explaining.end().catch(() => undefined);
      await db.end();
    }
  });
});

describe('NOTIFY on turn end', () => {
  it('announces a claimable turn only when a later turn of the session exists', async () => {
    const listener = new pg.Client({ connectionString: databaseUrl });
    await listener.connect();
    const seen: string[] = [];
    listener.on('notification', (n) => n.channel === TURNS_CHANNEL && seen.push(n.payload ?? ''));
    await listener.query(`LISTEN ${TURNS_CHANNEL}`);
    // a round trip on the listening connection delivers what was sent before it; then forget it
    const settled = async () => {
      await listener.query('SELECT 1');
      seen.length = 0;
    };
    try {
      const session = await newSession();
      await enqueueTurn(pool, session.id, 't', 'only', 10);
      await claimTurns(pool, 'n/1', 100, 60_000);
      await settled();
      await finishTurn(pool, 'n/1', session.id, 1, [{ type: 'done', stopReason: 'end_turn' }], { state: 'completed', stopReason: 'end_turn', output: '' });
      await listener.query('SELECT 1'); // notifications sent before this answer have arrived
      expect(seen).toEqual([]);

      await enqueueTurn(pool, session.id, 't', 'first', 10);
      await claimTurns(pool, 'n/1', 100, 60_000);
      await enqueueTurn(pool, session.id, 't', 'queued behind', 10);
      await settled();
      await finishTurn(pool, 'n/1', session.id, 2, [{ type: 'done', stopReason: 'end_turn' }], { state: 'completed', stopReason: 'end_turn', output: '' });
      await listener.query('SELECT 1');
      expect(seen).toEqual([session.id]);
    } finally {
      await listener.end();
    }
  });
});
