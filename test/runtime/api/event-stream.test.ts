/** SSE to a slow reader: every event arrives once and in order (the listener hygiene of the wait itself: backpressure.test.ts). */
import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SseParser } from '../../../harnesses/protocol/sse.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { Api, startTestRuntime, TOKENS, type TestRuntime } from '../support/runtime.ts';

let pg: TestPostgres;
let replica: TestRuntime;
beforeAll(async () => {
  pg = await startTestPostgres();
  replica = await startTestRuntime(await pg.createDatabase());
});
afterAll(async () => {
  await replica?.close();
  await pg?.stop();
});

it('streams a burst to a reader that keeps stalling, complete and in order', async () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  try {
    const api = new Api(replica.url, TOKENS.alpha);
    const id = await api.createSession();
    await api.send(id, '/burst 20000');
    await api.waitForDone(id, 1, 60_000);

    const seqs: number[] = [];
    let stalls = 0;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${replica.url}/v1/sessions/${id}/events`, { headers: { authorization: `Bearer ${TOKENS.alpha}`, accept: 'text/event-stream' } }, (res) => {
        const parser = new SseParser();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          for (const message of parser.push(chunk)) {
            const event = JSON.parse(message.data) as { seq: number; type: string };
            seqs.push(event.seq);
            if (event.type === 'done') {
              req.destroy();
              resolve();
            }
          }
          // stall now and then, long enough for the server's buffers to fill
          if (seqs.length > stalls * 2_000) {
            stalls++;
            res.pause();
            void delay(30).then(() => res.resume());
          }
        });
        res.on('error', () => undefined);
      });
      req.on('error', reject);
      req.end();
    });
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(seqs.length).toBeGreaterThan(20_000);
    expect(stalls).toBeGreaterThan(5);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  } finally {
    process.off('warning', onWarning);
  }
});
