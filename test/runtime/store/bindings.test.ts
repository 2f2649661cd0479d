/** Sandbox bindings: a sandbox bound ahead of a session's first turn, and binders that race. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../runtime/db/migrate.ts';
import { createPool } from '../../../runtime/db/pool.ts';
import type { SandboxBinding } from '../../../runtime/drivers/sandbox-driver.ts';
import { bindPreparedSandbox, getBinding, saveBinding } from '../../../runtime/store/bindings.ts';
import { listEvents } from '../../../runtime/store/events.ts';
import { createSession, finishSession } from '../../../runtime/store/sessions.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

let server: TestPostgres;
let pool: pg.Pool;
beforeAll(async () => {
  server = await startTestPostgres();
  pool = createPool({ connectionString: await server.createDatabase(), max: 30 });
  await applyMigrations(pool);
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

const newSession = () => createSession(pool, { team: 't', harness: 'scripted' });
const sandbox = (): SandboxBinding => {
  const id = `sbx-${randomUUID()}`;
  return { driver: 'local', sandboxId: id, sandboxName: id, namespace: 'local', endpoint: 'http://127.0.0.1:9', token: `token-${id}` };
};
const queuedForRelease = async (sandboxIds: readonly string[]) =>
  (await pool.query<{ sandbox_id: string }>('SELECT sandbox_id FROM sandbox_releases WHERE sandbox_id = ANY($1)', [sandboxIds])).rows.map((r) => r.sandbox_id);

describe('a sandbox bound ahead of the first turn', () => {
  it('is bound as generation 1 with its `sandbox acquired` event of no turn, in one commit', async () => {
    const session = await newSession();
    const first = sandbox();
    const prepared = await bindPreparedSandbox(pool, session.id, first);
    expect(prepared).toEqual({ generation: 1, events: [{ sessionId: session.id, seq: 1, turn: null, event: { type: 'sandbox', action: 'acquired', generation: 1 }, createdAt: expect.any(Date) }] });
    const stored = await listEvents(pool, session.id, 0, 10);
    expect(stored).toEqual(prepared!.events);
    expect(await getBinding(pool, session.id)).toMatchObject({ sandboxId: first.sandboxId, generation: 1 });
  });

  it('never takes the place of a sandbox already bound, nor binds to an ended session', async () => {
    const session = await newSession();
    const first = sandbox();
    await saveBinding(pool, session.id, first);
    expect(await bindPreparedSandbox(pool, session.id, sandbox())).toBeUndefined();
    expect(await getBinding(pool, session.id)).toMatchObject({ sandboxId: first.sandboxId, generation: 1 });
    expect(await listEvents(pool, session.id, 0, 10)).toEqual([]);

    const ended = await newSession();
    await finishSession(pool, ended.id, 'ended');
    expect(await bindPreparedSandbox(pool, ended.id, sandbox())).toBeUndefined();
    expect(await getBinding(pool, ended.id)).toBeUndefined();
  });

  it('is replaced by a turn\'s sandbox like any binding: queued for release, not leaked', async () => {
    const session = await newSession();
    const prepared = sandbox();
    await bindPreparedSandbox(pool, session.id, prepared);
    const replacement = sandbox();
    expect(await saveBinding(pool, session.id, replacement)).toBe(2);
    expect(await getBinding(pool, session.id)).toMatchObject({ sandboxId: replacement.sandboxId, generation: 2 });
    expect(await queuedForRelease([prepared.sandboxId])).toEqual([prepared.sandboxId]);
  });
});

describe('binders that race', () => {
  it('leave every sandbox either bound or queued for release, one binding per session', async () => {
    const sessions = await Promise.all(Array.from({ length: 20 }, () => newSession()));
    const raced = await Promise.all(
      sessions.map(async (session) => {
        const ahead = sandbox();
        const ofTurn = sandbox();
        const [prepared] = await Promise.all([bindPreparedSandbox(pool, session.id, ahead), saveBinding(pool, session.id, ofTurn)]);
        return { session, ahead, ofTurn, prepared };
      }),
    );
    for (const { session, ahead, ofTurn, prepared } of raced) {
      // the turn's sandbox always ends up bound: either it came first, or it replaced the prepared one
      expect(await getBinding(pool, session.id)).toMatchObject({ sandboxId: ofTurn.sandboxId });
      // the prepared one was refused (its caller releases it) or bound and then queued for release
      expect(await queuedForRelease([ahead.sandboxId])).toEqual(prepared ? [ahead.sandboxId] : []);
      const events = await listEvents(pool, session.id, 0, 10);
      expect(events.map((e) => e.event)).toEqual(prepared ? [{ type: 'sandbox', action: 'acquired', generation: 1 }] : []);
    }
  });
});
