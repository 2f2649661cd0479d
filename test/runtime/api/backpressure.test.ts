import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { drainedOrClosed } from '../../../runtime/api/backpressure.ts';

it('waits out a stalled client again and again without piling up listeners', async () => {
  const chunk = 'x'.repeat(64 * 1024);
  let waits = 0;
  let listeners: { drain: number; close: number } | undefined;
  let baseline: { drain: number; close: number } | undefined;
  const count = (res: ServerResponse) => ({ drain: res.listenerCount('drain'), close: res.listenerCount('close') });
  const server = createServer((_req, res) => {
    void (async () => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      baseline = count(res);
      while (waits < 40) {
        if (!res.write(chunk)) {
          await drainedOrClosed(res);
          waits++;
        }
      }
      listeners = count(res);
      res.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, (res) => {
        // read in short bursts with pauses, so the server hits back-pressure many times
        res.on('data', (data: Buffer) => {
          received += data.length;
          res.pause();
          void delay(2).then(() => res.resume());
        });
        res.on('end', resolve);
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    expect(waits).toBe(40);
    expect(received).toBeGreaterThanOrEqual(40 * chunk.length);
    expect(listeners).toEqual(baseline);
  } finally {
    server.close();
  }
});
