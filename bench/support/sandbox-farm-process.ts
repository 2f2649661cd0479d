/**
 * The sandbox farm's process (bench only): many harness protocol v1 servers around the scripted
 * agent in one Node process, one per sandbox, each on its own loopback port with its own token.
 * A thousand sessions with turns in flight need a thousand sandboxes; a thousand harness
 * processes (about 50 MiB each) do not fit a development VM, and the runtime's path — claim,
 * status check, dispatch, the turn's SSE stream, abort — is the same against one server per
 * sandbox in a shared process. Control API on its own port:
 *   POST /sandboxes         -> 201 {"binding": SandboxBinding}
 *   DELETE /sandboxes/:id   -> 204 (closes that sandbox's server; idempotent)
 *   GET /stats              -> {"sandboxes", "busy"}
 * Prints `{"farm": {"url"}}` on stdout once listening. Stops on SIGTERM.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createHarnessServer, type HarnessServer } from '../../harnesses/protocol/server.ts';
import { scriptedTurn, type ScriptEffects } from '../../harnesses/scripted/script.ts';
import type { SandboxBinding } from '../../runtime/drivers/sandbox-driver.ts';

const effects: ScriptEffects = {
  async sleep(ms, signal) {
    await delay(ms, undefined, { signal }).catch(() => undefined);
  },
  crash() {
    return Promise.reject(new Error('/crash is not supported by the bench farm (sandboxes share a process)'));
  },
};

interface FarmSandbox {
  readonly server: HarnessServer;
  busy: boolean;
}

const sandboxes = new Map<string, FarmSandbox>();

async function createSandbox(): Promise<SandboxBinding> {
  const sandboxId = `farm-${randomUUID()}`;
  const token = randomBytes(24).toString('base64url');
  const entry: FarmSandbox = { busy: false, server: undefined as unknown as HarnessServer };
  const server = createHarnessServer({
    harness: 'scripted',
    token,
    handleTurn: (turn, { signal }) => {
      const events = scriptedTurn(turn, signal, effects);
      return (async function* () {
        entry.busy = true;
        try {
          yield* events;
        } finally {
          entry.busy = false;
        }
      })();
    },
  });
  (entry as { server: HarnessServer }).server = server;
  const address = await server.listen(0, '127.0.0.1');
  sandboxes.set(sandboxId, entry);
  return { driver: 'local', sandboxId, sandboxName: String(process.pid), namespace: 'team-bench', endpoint: `http://127.0.0.1:${address.port}`, token };
}

const control = createServer((req, res) => {
  const send = (status: number, body?: unknown) => {
    res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  req.resume();
  if (req.method === 'POST' && req.url === '/sandboxes') {
    createSandbox().then((binding) => send(201, { binding }), (error: Error) => send(500, { error: error.message }));
  } else if (req.method === 'DELETE' && req.url?.startsWith('/sandboxes/')) {
    const id = decodeURIComponent(req.url.slice('/sandboxes/'.length));
    const entry = sandboxes.get(id);
    sandboxes.delete(id);
    if (!entry) send(204);
    else void entry.server.close().then(() => send(204), () => send(204));
  } else if (req.method === 'GET' && req.url === '/stats') {
    send(200, { sandboxes: sandboxes.size, busy: [...sandboxes.values()].filter((s) => s.busy).length });
  } else send(404, { error: `no route ${req.method} ${req.url}` });
});
control.keepAliveTimeout = 60_000;
control.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ farm: { url: `http://127.0.0.1:${(control.address() as AddressInfo).port}` } })}\n`);
});
process.once('SIGTERM', () => {
  control.close();
  void Promise.all([...sandboxes.values()].map((s) => s.server.close())).then(() => process.exit(0));
});
