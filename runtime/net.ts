/** Small network helpers. */
import { createServer } from 'node:net';

/** A port that was free on 127.0.0.1 a moment ago (the caller retries if it is taken meanwhile). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
