/**
 * A fake LiteLLM proxy on loopback, written from LiteLLM's documentation and source: its admin
 * API for teams and virtual keys (admin.ts), its proxy routes with key, model, budget and rate
 * checks (proxy.ts), and its liveness probe. Tests run it in a child process (process.ts) so that
 * "the gateway is down" is a real dead process and a refused connection, or in-process.
 *
 * Test-only routes (master key), under /__fake/: GET /__fake/state (teams and keys),
 * GET /__fake/calls (proxy calls answered), POST /__fake/spend {team_id?|key?, spend} (set a
 * spend, e.g. to exhaust a budget without spending it call by call).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin, ADMIN_ROUTES } from './admin.ts';
import { field, presentedKey, ProxyError, readJson, sendJson, sendProxyError } from './http.ts';
import { authenticate, handleProxy, PROXY_ROUTES, RateWindows, type ProxyCall } from './proxy.ts';
import { StateStore } from './state.ts';

export interface FakeLiteLLMOptions {
  readonly masterKey: string;
  /** the model names served (LiteLLM's model_list model_name) */
  readonly models: readonly string[];
  /** USD charged per successful model call (default 0.01) */
  readonly costPerCall?: number;
  /** where teams, keys and spend are kept across restarts (LiteLLM's database); memory when unset */
  readonly stateFile?: string;
  readonly port?: number;
}

export interface FakeLiteLLM {
  readonly url: string;
  readonly port: number;
  readonly store: StateStore;
  readonly calls: readonly ProxyCall[];
  close(): Promise<void>;
}

export function createFakeLiteLLMServer(options: FakeLiteLLMOptions): { server: Server; store: StateStore; calls: ProxyCall[] } {
  const store = new StateStore(options.stateFile);
  const calls: ProxyCall[] = [];
  const windows = new RateWindows();
  const proxyOptions = { store, masterKey: options.masterKey, models: options.models, costPerCall: options.costPerCall ?? 0.01, calls };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-litellm');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const presented = presentedKey(req);
    void (async () => {
      if (path === '/health/liveliness' || path === '/health/readiness') return sendJson(res, 200, path === '/health/liveliness' ? "I'm alive!" : { status: 'connected', db: 'connected' });
      if (req.method === 'HEAD') return void res.writeHead(200).end();
      const api = PROXY_ROUTES[path];
      if (api) return handleProxy(req, res, api, presented, proxyOptions, windows);
      if (path === '/v1/models' || path === '/models') {
        const caller = authenticate(presented, proxyOptions);
        const allowed = options.models.filter((m) => (caller.key?.models.length ? caller.key.models.includes(m) : true) && (caller.team?.models.length ? caller.team.models.includes(m) : true));
        return sendJson(res, 200, { object: 'list', data: allowed.map((id) => ({ id, object: 'model', created: 1677610602, owned_by: 'openai' })) });
      }
      if ((ADMIN_ROUTES as readonly string[]).includes(path)) return handleAdmin(req, res, path, url, presented, { store, masterKey: options.masterKey });
      if (path.startsWith('/__fake/')) {
        if (presented !== options.masterKey) throw new ProxyError(401, 'Authentication Error, master key required', 'auth_error');
        if (path === '/__fake/state') return sendJson(res, 200, store.state);
        if (path === '/__fake/calls') return sendJson(res, 200, calls);
        if (path === '/__fake/spend' && req.method === 'POST') {
          const body = await readJson(req);
          const spend = field.number(body, 'spend') ?? 0;
          const teamId = field.string(body, 'team_id');
          const key = field.string(body, 'key');
          const record = teamId ? store.state.teams[teamId] : key ? store.keyByTokenOrKey(key) : undefined;
          if (!record) throw new ProxyError(404, 'no such team or key', 'not_found_error');
          record.spend = spend;
          store.save();
          return sendJson(res, 200, { spend });
        }
      }
      throw new ProxyError(404, 'Not Found', 'not_found_error');
    })().catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof ProxyError) sendProxyError(res, error);
      else sendProxyError(res, new ProxyError(500, `fake litellm: ${String(error)}`, 'internal_server_error'));
    });
  });
  return { server, store, calls };
}

export async function startFakeLiteLLM(options: FakeLiteLLMOptions): Promise<FakeLiteLLM> {
  const { server, store, calls } = createFakeLiteLLMServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    store,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
