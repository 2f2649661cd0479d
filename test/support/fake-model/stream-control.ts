/**
 * How the fake model writes one streamed answer: paced writes (so deltas reach the CLI as
 * separate network reads) and a "hang" that holds the response open until the client goes
 * away, which is how tests observe that an aborted CLI really closed its model connection.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StreamControl {
  /** writes one SSE frame, then waits the configured pause */
  write(frame: string): Promise<void>;
  /** resolves when the client closes the connection */
  hang(): Promise<void>;
}

export function streamControl(res: ServerResponse, pauseMs: number, onHang: () => void): StreamControl {
  const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
  return {
    async write(frame) {
      if (res.destroyed) return;
      res.write(frame);
      if (pauseMs > 0) await sleep(pauseMs);
    },
    async hang() {
      onHang();
      // a comment every second keeps proxies from timing out while the test decides to abort
      const keepAlive = setInterval(() => res.destroyed || res.write(': still thinking\n\n'), 1000);
      await closed;
      clearInterval(keepAlive);
    },
  };
}
