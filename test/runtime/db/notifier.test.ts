/**
 * The notifier sends what callers hand it after their commit, coalesced: many sessions'
 * notifications in one statement, one per coalescing key with the highest rank, received by a
 * real LISTEN connection.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Notifier } from '../../../runtime/db/notifier.ts';
import { createPool } from '../../../runtime/db/pool.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

let server: TestPostgres;
let url: string;
beforeAll(async () => {
  server = await startTestPostgres();
  url = await server.createDatabase();
});
afterAll(async () => {
  await server?.stop();
});

async function listen(channels: string[]): Promise<{ received: Array<{ channel: string; payload: string }>; close: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const received: Array<{ channel: string; payload: string }> = [];
  client.on('notification', (n) => received.push({ channel: n.channel, payload: n.payload ?? '' }));
  for (const channel of channels) await client.query(`LISTEN ${channel}`);
  return { received, close: () => client.end() };
}

it('coalesces a tick\'s notifications into one statement, keeping the highest rank per key', async () => {
  const listener = await listen(['ch_events', 'ch_turns']);
  const pool = createPool({ connectionString: url, max: 1, asyncCommit: true });
  try {
    const notifier = new Notifier(pool);
    notifier.notify('ch_events', 's1:3', 'events s1', 3);
    notifier.notify('ch_events', 's1:7', 'events s1', 7);
    notifier.notify('ch_events', 's1:5', 'events s1', 5); // committed earlier, reported late: not sent
    notifier.notify('ch_events', 's2:1', 'events s2', 1);
    notifier.notify('ch_turns', 's1');
    notifier.notify('ch_turns', 's1');
    await notifier.flush();
    expect(notifier.sent).toBe(1);
    await expect.poll(() => listener.received.length).toBe(3);
    expect(listener.received).toEqual(
      expect.arrayContaining([
        { channel: 'ch_events', payload: 's1:7' },
        { channel: 'ch_events', payload: 's2:1' },
        { channel: 'ch_turns', payload: 's1' },
      ]),
    );
    // what arrives while a statement is in flight leaves with the next one
    notifier.notify('ch_events', 's3:1', 'events s3', 1);
    notifier.notify('ch_events', 's4:1', 'events s4', 1);
    await notifier.flush();
    await expect.poll(() => listener.received.length).toBe(5);
    expect(notifier.sent).toBe(2);
  } finally {
    await pool.end();
    await listener.close();
  }
});

it('reports a failed send and keeps working', async () => {
  const pool = createPool({ connectionString: url, max: 1, asyncCommit: true });
  const errors: unknown[] = [];
  const notifier = new Notifier(pool, (error) => errors.push(error));
  notifier.notify('ch_events', 'x'.repeat(9_000)); // a payload over Postgres's 8,000-byte limit fails
  await notifier.flush();
  expect(errors).toHaveLength(1);
  const listener = await listen(['ch_events']);
  try {
    notifier.notify('ch_events', 'after the failure');
    await notifier.flush();
    await expect.poll(() => listener.received).toEqual([{ channel: 'ch_events', payload: 'after the failure' }]);
  } finally {
    await pool.end();
    await listener.close();
  }
});
