/**
 * The group-commit batcher on its own (a recording `run`, no database): a tick's requests
 * share a statement, a key is in one statement at a time and keeps its order, the weight
 * and count caps hold (a key's order too), per-request errors reject alone, a statement the
 * server refused is retried one request per statement, a deadlock is retried whole, and an
 * unavailable database or an unknown outcome fails all, never resent.
 */
import { describe, expect, it } from 'vitest';
import { StatementBatcher } from '../../../runtime/db/statement-batcher.ts';

interface Req {
  readonly key: string;
  readonly value: number;
}

/** A batcher whose statements are recorded; `answer` decides each statement's outcome. */
function recording(answer: (batch: readonly Req[], call: number) => Promise<(string | Error)[]> = async (batch) => batch.map((r) => `${r.key}:${r.value}`), options: { maxInFlight?: number; maxBatch?: number; maxWeight?: number } = {}) {
  const statements: string[][] = [];
  const batcher = new StatementBatcher<Req, string>(
    (batch) => {
      statements.push(batch.map((r) => `${r.key}:${r.value}`));
      return answer(batch, statements.length);
    },
    { key: (r) => r.key, weight: (r) => r.value, ...options },
  );
  return { batcher, statements };
}

/** an error as the server reports it (pg's DatabaseError: a SQLSTATE and a severity) */
const fail = (code: string, message = code) => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('StatementBatcher', () => {
  it('sends the requests of one tick as one statement, and a key\'s second request in the next', async () => {
    const { batcher, statements } = recording();
    const results = await Promise.all([batcher.submit({ key: 'a', value: 1 }), batcher.submit({ key: 'b', value: 1 }), batcher.submit({ key: 'a', value: 2 })]);
    expect(results).toEqual(['a:1', 'b:1', 'a:2']);
    expect(statements).toEqual([['a:1', 'b:1'], ['a:2']]);
    expect(batcher.statements).toBe(2);
  });

  it('caps a statement by count and by weight; a request heavier than the cap goes alone', async () => {
    const { batcher, statements } = recording(undefined, { maxBatch: 2, maxWeight: 10 });
    await Promise.all([1, 2, 3].map((i) => batcher.submit({ key: `k${i}`, value: 1 })).concat([batcher.submit({ key: 'heavy', value: 50 })]));
    expect(statements).toEqual([['k1:1', 'k2:1'], ['k3:1'], ['heavy:50']]);
  });

  it('rejects only the request the statement answered with an Error', async () => {
    const { batcher } = recording(async (batch) => batch.map((r) => (r.key === 'b' ? new Error('lease lost') : r.key)));
    const results = await Promise.allSettled(['a', 'b', 'c'].map((key) => batcher.submit({ key, value: 1 })));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'lease lost', 'c']);
  });

  it('retries a refused statement one request per statement, so only the refused request fails', async () => {
    const { batcher, statements } = recording(async (batch) => {
      if (batch.some((r) => r.key === 'bad')) throw fail('22P05', 'unsupported Unicode escape sequence');
      return batch.map((r) => r.key);
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((key) => batcher.submit({ key, value: 1 })));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as { code: string }).code))).toEqual(['a', '22P05', 'c']);
    expect(statements[0]).toEqual(['a:1', 'bad:1', 'c:1']);
    expect(statements.slice(1).every((s) => s.length === 1)).toBe(true);
  });

  it('runs a statement again after a deadlock, and fails every request when the database is unavailable', async () => {
    const deadlocked = recording(async (batch, call) => {
      if (call === 1) throw fail('40P01', 'deadlock detected');
      return batch.map((r) => r.key);
    });
    expect(await Promise.all(['a', 'b'].map((key) => deadlocked.batcher.submit({ key, value: 1 })))).toEqual(['a', 'b']);
    expect(deadlocked.statements).toEqual([['a:1', 'b:1'], ['a:1', 'b:1']]);

    const down = recording(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    });
    const results = await Promise.allSettled(['a', 'b'].map((key) => down.batcher.submit({ key, value: 1 })));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // not retried one by one: an outage is not one request's fault
    expect(down.statements).toEqual([['a:1', 'b:1']]);
  });

  it('never resends a statement whose outcome is unknown (not refused by the server)', async () => {
    // a socket error after the commit, an exception while reading the answer, a non-Error
    for (const thrown of [Object.assign(new Error('write EPROTO'), { code: 'EPROTO' }), new Error('the statement stored 1 of 2 events'), undefined]) {
      const { batcher, statements } = recording(async () => {
        throw thrown;
      });
      const results = await Promise.allSettled(['a', 'b'].map((key) => batcher.submit({ key, value: 1 })));
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(statements).toEqual([['a:1', 'b:1']]);
    }
  });

  it('keeps a key\'s requests in order when the weight cap leaves its first one out', async () => {
    const { batcher, statements } = recording(undefined, { maxWeight: 10 });
    await Promise.all([batcher.submit({ key: 'x', value: 6 }), batcher.submit({ key: 's', value: 5 }), batcher.submit({ key: 's', value: 1 })]);
    expect(statements).toEqual([['x:6'], ['s:5'], ['s:1']]);
  });

  it('keeps at most maxInFlight statements running', async () => {
    let running = 0;
    let most = 0;
    const { batcher } = recording(
      async (batch) => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        return batch.map((r) => r.key);
      },
      { maxInFlight: 2 },
    );
    // one key, so each request needs a statement of its own
    await Promise.all(Array.from({ length: 3 }, (_, i) => batcher.submit({ key: 'a', value: i })));
    await Promise.all(Array.from({ length: 6 }, (_, i) => new Promise((r) => setTimeout(r, i)).then(() => batcher.submit({ key: `k${i}`, value: 1 }))));
    expect(most).toBe(2);
  });
});
