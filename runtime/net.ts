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

/** Why `port` cannot be listened on at 127.0.0.1 right now (in use, privileged), or undefined. */
export async function loopbackPortProblem(port: number): Promise<{ code: string; message: string } | undefined> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    return undefined;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return { code: code ?? 'ERROR', message };
  } finally {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
}
