/** Waiting for a slow HTTP client without leaking listeners on long-lived responses (SSE). */
import type { ServerResponse } from 'node:http';

/**
 * Resolves when the client took the buffered data or went away. Both listeners go when either
 * fires: an SSE response waits like this thousands of times in its life.
 */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      res.off('drain', settle);
      res.off('close', settle);
      resolve();
    };
    res.on('drain', settle);
    res.on('close', settle);
  });
}
