/**
 * An in-process fake of the Kubernetes API server for SandboxClaims
 * (extensions.agents.x-k8s.io/v1beta1, plural sandboxclaims), on node:http at 127.0.0.1. It
 * speaks the real REST and watch protocol, so the driver under test uses the real
 * @kubernetes/client-node against it: create (201, 409 AlreadyExists), get (404 NotFound),
 * list (with metadata.resourceVersion), replace (409 Conflict on a stale resourceVersion),
 * delete (with preconditions, optionally terminating for a while), and watch
 * (`?watch=true&resourceVersion=…`: newline-delimited JSON events ADDED/MODIFIED/DELETED/
 * BOOKMARK; 410 Gone — as HTTP status or as an ERROR event — for compacted resourceVersions),
 * with one global monotonic resourceVersion. Bearer-token auth like a cluster.
 *
 * Test hooks: a request log, waiting for a request, dropping watch connections, compaction,
 * bookmarks, and injected failures. The agent-sandbox controller role lives in
 * fake-sandbox-controller.ts.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ClaimStore, StoreError, type StoredClaim, type StoredEvent } from './claim-store.ts';
import { kubeStatus, statuses, type KubeStatus } from './kube-status.ts';
import { parseFieldSelector, parseLabelSelector, SelectorError, type Selector } from './selectors.ts';

export const GROUP = 'extensions.agents.x-k8s.io';
export const VERSION = 'v1beta1';
export const API_VERSION = `${GROUP}/${VERSION}`;
const ROUTE = /^\/apis\/extensions\.agents\.x-k8s\.io\/v1beta1(?:\/namespaces\/([^/]+))?\/sandboxclaims(?:\/([^/]+))?(?:\/(status))?\/?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const SPEC_FIELDS = ['warmPoolRef', 'lifecycle', 'additionalPodMetadata', 'env', 'volumeClaimTemplates'];
const MAX_BODY = 3 * 1024 * 1024;

export interface FakeKubeApiOptions {
  /** the bearer token clients must present; default random (kubeConfig() carries it) */
  readonly token?: string;
  /** how a watch from a compacted resourceVersion fails: an ERROR event in a 200 stream (the watch cache, default) or HTTP 410 */
  readonly goneAs?: 'event' | 'status';
  /** a deleted claim stays terminating (deletionTimestamp set) this long before it disappears; default 0 */
  readonly deletionDelayMs?: number;
}

export interface RecordedRequest {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly watch: boolean;
  readonly status: number;
}

export interface InjectedFailure {
  readonly method?: string;
  /** only watch requests (true) or only non-watch requests (false) */
  readonly watch?: boolean;
  readonly pathIncludes?: string;
  readonly status: number;
  readonly reason: string;
  readonly message?: string;
  /** how many matching requests fail; default 1 */
  readonly times?: number;
}

export interface InjectedDelay {
  readonly method?: string;
  readonly watch?: boolean;
  readonly pathIncludes?: string;
  /** the request is answered normally after this pause (a slow or hung API server) */
  readonly delayMs: number;
  readonly times?: number;
}

interface WatchConnection {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly namespace: string | undefined;
  readonly matches: Selector;
  readonly bookmarks: boolean;
  close(graceful: boolean): void;
}

export class FakeKubeApiServer {
  readonly store = new ClaimStore();
  readonly requests: RecordedRequest[] = [];
  readonly token: string;
  goneAs: 'event' | 'status';
  deletionDelayMs: number;
  private readonly watches = new Set<WatchConnection>();
  private readonly failures: (InjectedFailure & { remaining: number })[] = [];
  private readonly delays: (InjectedDelay & { remaining: number })[] = [];
  private readonly requestWaiters = new Set<() => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private port = 0;
  /** namespaces that do not exist (every other one does); see withoutTeamBundle() */
  private readonly missingNamespaces = new Set<string>();
  /** namespaces where the runtime's service account has no RoleBinding */
  private readonly unboundNamespaces = new Set<string>();

  private constructor(
    private readonly server: Server,
    options: FakeKubeApiOptions,
  ) {
    this.token = options.token ?? randomBytes(24).toString('base64url');
    this.goneAs = options.goneAs ?? 'event';
    this.deletionDelayMs = options.deletionDelayMs ?? 0;
  }

  static async start(options: FakeKubeApiOptions = {}): Promise<FakeKubeApiServer> {
    let instance: FakeKubeApiServer | undefined;
    const server = createServer((req, res) => {
      instance?.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendStatus(res, kubeStatus(500, 'InternalError', `fake API server: ${(error as Error).message}`));
        else res.destroy();
      });
    });
    instance = new FakeKubeApiServer(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    instance.port = (server.address() as AddressInfo).port;
    return instance;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A KubeConfig for @kubernetes/client-node pointing at this server with its token. */
  kubeConfig(token = this.token): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake', token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
      currentContext: 'fake',
    });
    return kubeConfig;
  }

  get activeWatches(): number {
    return this.watches.size;
  }

  /** Ends every open watch stream: abruptly (a dropped connection) or with a clean end of stream. */
  dropWatches(options: { graceful?: boolean } = {}): number {
    const open = [...this.watches];
    for (const watch of open) watch.close(options.graceful ?? false);
    return open.length;
  }

  /** Sends a BOOKMARK with the current resourceVersion to watches that asked for bookmarks. */
  sendBookmarks(): void {
    for (const watch of this.watches) {
      if (watch.bookmarks) writeEvent(watch.res, 'BOOKMARK', { apiVersion: API_VERSION, kind: 'SandboxClaim', metadata: { resourceVersion: String(this.store.resourceVersion) } });
    }
  }

  /**
   * A team the runtime knows of before its bundle was applied: the namespace does not exist,
   * so neither does the RoleBinding in it (requests there answer 403, like RBAC does before
   * the namespace lifecycle admission is reached); `{ namespace: true }` applies only the
   * RoleBinding's absence, `{ rbac: false }` only the namespace's.
   */
  withoutTeamBundle(namespace: string, missing: { namespace?: boolean; rbac?: boolean } = {}): void {
    if (missing.namespace ?? true) this.missingNamespaces.add(namespace);
    if (missing.rbac ?? true) this.unboundNamespaces.add(namespace);
  }

  /** The team's bundle was applied: its namespace and RoleBinding exist. */
  applyTeamBundle(namespace: string): void {
    this.missingNamespaces.delete(namespace);
    this.unboundNamespaces.delete(namespace);
  }

  failNext(failure: InjectedFailure): void {
    this.failures.push({ ...failure, remaining: failure.times ?? 1 });
  }

  /** Forgets injected failures and delays that have not fired yet. */
  clearFailures(): void {
    this.failures.length = 0;
    this.delays.length = 0;
  }

  delayNext(delay: InjectedDelay): void {
    this.delays.push({ ...delay, remaining: delay.times ?? 1 });
  }

  /** Requests recorded from `after` on that match, waiting (bounded) for the first one. */
  async waitForRequest(predicate: (request: RecordedRequest) => boolean, options: { after?: number; timeoutMs?: number } = {}): Promise<RecordedRequest> {
    const after = options.after ?? 0;
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    for (;;) {
      const found = this.requests.slice(after).find(predicate);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`fake API server: no matching request within ${options.timeoutMs ?? 5_000} ms; seen: ${this.describeRequests(after)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, remaining);
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        const waiters = this.requestWaiters;
        waiters.add(done);
      });
    }
  }

  describeRequests(after = 0): string {
    return this.requests
      .slice(after)
      .map((r) => `${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query as Record<string, string>).toString()}` : ''} → ${r.status}`)
      .join('; ');
  }

  /** Deletes a claim with the server's deletion semantics (the controller's side of expiry). */
  deleteClaim(namespace: string, name: string): StoredClaim | undefined {
    const current = this.store.get(namespace, name);
    if (!current) return undefined;
    if (current.metadata.deletionTimestamp) return current;
    if (this.deletionDelayMs <= 0) return this.store.remove(namespace, name);
    const terminating = this.store.markDeleting(namespace, name);
    const uid = current.metadata.uid;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.store.get(namespace, name)?.metadata.uid === uid) this.store.remove(namespace, name);
    }, this.deletionDelayMs);
    this.timers.add(timer);
    return terminating;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.dropWatches();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private record(req: IncomingMessage, url: URL, watch: boolean, status: number): void {
    this.requests.push({ index: this.requests.length, method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), watch, status });
    for (const wake of [...this.requestWaiters]) wake();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const watch = method === 'GET' && ['true', '1'].includes(url.searchParams.get('watch') ?? '');
    const reply = (status: number, body: unknown): void => {
      this.record(req, url, watch, status);
      sendJson(res, status, body);
    };

    if (req.headers.authorization !== `Bearer ${this.token}`) return reply(401, statuses.unauthorized());

    const applies = (rule: { method?: string; watch?: boolean; pathIncludes?: string; remaining: number }) =>
      rule.remaining > 0 && (rule.method === undefined || rule.method === method) && (rule.watch === undefined || rule.watch === watch) && (rule.pathIncludes === undefined || url.pathname.includes(rule.pathIncludes));
    const delay = this.delays.find(applies);
    if (delay) {
      delay.remaining -= 1;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, delay.delayMs);
        this.timers.add(timer);
      });
      if (req.socket.destroyed) return;
    }
    const failure = this.failures.find(applies);
    if (failure) {
      failure.remaining -= 1;
      return reply(failure.status, kubeStatus(failure.status, failure.reason, failure.message ?? `injected ${failure.reason}`));
    }

    const route = ROUTE.exec(url.pathname);
    if (!route) return reply(404, statuses.resourceNotFound());
    const namespace = route[1] ? decodeURIComponent(route[1]) : undefined;
    const name = route[2] ? decodeURIComponent(route[2]) : undefined;
    const subresource = route[3];
    if (namespace !== undefined && this.unboundNamespaces.has(namespace)) return reply(403, statuses.forbidden(requestVerb(method, watch, name), namespace));
    if (namespace !== undefined && this.missingNamespaces.has(namespace)) {
      if (method === 'POST') return reply(404, statuses.namespaceNotFound(namespace));
      if (method === 'GET' && name === undefined && !watch) return reply(200, { apiVersion: API_VERSION, kind: 'SandboxClaimList', metadata: { resourceVersion: String(this.store.resourceVersion) }, items: [] });
    }

    let body: unknown;
    try {
      body = await readBody(req);
    } catch (error) {
      return reply(400, statuses.badRequest((error as Error).message));
    }

    try {
      if (name === undefined) {
        if (method === 'GET' && watch) return this.watch(req, res, url, namespace);
        if (method === 'GET') return reply(200, this.list(url, namespace));
        if (method === 'POST' && namespace !== undefined) return reply(201, this.create(namespace, body));
        return reply(405, statuses.methodNotAllowed(method));
      }
      if (namespace === undefined) return reply(404, statuses.resourceNotFound());
      if (subresource === 'status') {
        if (method !== 'GET') return reply(405, statuses.methodNotAllowed(`${method} on status: the fake serves status writes only to its controller`));
      }
      switch (method) {
        case 'GET': {
          const claim = this.store.get(namespace, name);
          return claim ? reply(200, claim) : reply(404, statuses.notFound(name));
        }
        case 'PUT':
          return reply(200, this.replace(namespace, name, body));
        case 'DELETE':
          return reply(200, this.delete(namespace, name, body));
        default:
          return reply(405, statuses.methodNotAllowed(method));
      }
    } catch (error) {
      if (error instanceof StoreError) return reply(error.status.code, error.status);
      if (error instanceof SelectorError) return reply(400, statuses.badRequest(error.message));
      throw error;
    }
  }

  private list(url: URL, namespace: string | undefined): unknown {
    const matches = selectorsOf(url);
    return {
      apiVersion: API_VERSION,
      kind: 'SandboxClaimList',
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items: this.store.list(namespace).filter(matches),
    };
  }

  private create(namespace: string, body: unknown): StoredClaim {
    if (!isObject(body)) throw new StoreError(statuses.badRequest('the request body is not a JSON object'));
    if (body.apiVersion !== API_VERSION || body.kind !== 'SandboxClaim') {
      throw new StoreError(statuses.badRequest(`the API version in the data (${String(body.apiVersion)}) or kind (${String(body.kind)}) does not match the expected ${API_VERSION} SandboxClaim`));
    }
    const metadata = isObject(body.metadata) ? body.metadata : {};
    let name = typeof metadata.name === 'string' ? metadata.name : '';
    if (!name && typeof metadata.generateName === 'string') name = metadata.generateName + randomBytes(3).toString('hex').slice(0, 5);
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      throw new StoreError(statuses.badRequest('the namespace of the provided object does not match the namespace sent on the request'));
    }
    const causes: { field: string; message: string }[] = [];
    if (!name) causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required' });
    else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'` });
    const labels = isStringMap(metadata.labels) ? metadata.labels : undefined;
    if (metadata.labels !== undefined && !labels) causes.push({ field: 'metadata.labels', message: 'Invalid value: must be a map of strings' });
    for (const [k, v] of Object.entries(labels ?? {})) {
      if (!LABEL_KEY.test(k)) causes.push({ field: 'metadata.labels', message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'` });
      if (!LABEL_VALUE.test(v) || v.length > 63) causes.push({ field: `metadata.labels`, message: `Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'` });
    }
    const annotations = isStringMap(metadata.annotations) ? metadata.annotations : undefined;
    if (metadata.annotations !== undefined && !annotations) causes.push({ field: 'metadata.annotations', message: 'Invalid value: must be a map of strings' });
    const spec = isObject(body.spec) ? body.spec : undefined;
    const warmPoolRef = spec && isObject(spec.warmPoolRef) ? spec.warmPoolRef : undefined;
    if (!spec) causes.push({ field: 'spec', message: 'Required value' });
    else if (!warmPoolRef || typeof warmPoolRef.name !== 'string') causes.push({ field: 'spec.warmPoolRef.name', message: 'Required value' });
    const lifecycle = spec && isObject(spec.lifecycle) ? spec.lifecycle : undefined;
    if (lifecycle?.shutdownPolicy !== undefined && !['Delete', 'DeleteForeground', 'Retain'].includes(String(lifecycle.shutdownPolicy))) {
      causes.push({ field: 'spec.lifecycle.shutdownPolicy', message: `Unsupported value: "${String(lifecycle.shutdownPolicy)}": supported values: "Delete", "DeleteForeground", "Retain"` });
    }
    if (causes.length > 0) throw new StoreError(statuses.invalid(name || '<unnamed>', causes));
    // A structural CRD schema prunes unknown fields; the status subresource drops `status`.
    const prunedSpec = Object.fromEntries(Object.entries(spec ?? {}).filter(([k]) => SPEC_FIELDS.includes(k))) as StoredClaim['spec'];
    return this.store.create(
      {
        apiVersion: API_VERSION,
        kind: 'SandboxClaim',
        metadata: { name, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
        spec: prunedSpec,
      },
      namespace,
    );
  }

  private replace(namespace: string, name: string, body: unknown): StoredClaim {
    if (!isObject(body) || !isObject(body.metadata) || !isObject(body.spec)) throw new StoreError(statuses.badRequest('the request body is not a SandboxClaim'));
    if (body.metadata.name !== name) throw new StoreError(statuses.badRequest(`the name of the object (${String(body.metadata.name)}) does not match the name on the URL (${name})`));
    const metadata = body.metadata as Partial<StoredClaim['metadata']>;
    return this.store.replace(namespace, name, { metadata, spec: body.spec as StoredClaim['spec'] });
  }

  private delete(namespace: string, name: string, body: unknown): StoredClaim {
    const current = this.store.get(namespace, name);
    if (!current) throw new StoreError(statuses.notFound(name));
    const preconditions = isObject(body) && isObject(body.preconditions) ? body.preconditions : {};
    if (typeof preconditions.uid === 'string' && preconditions.uid !== current.metadata.uid) {
      throw new StoreError(statuses.conflict(name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`));
    }
    if (typeof preconditions.resourceVersion === 'string' && preconditions.resourceVersion !== current.metadata.resourceVersion) {
      throw new StoreError(statuses.conflict(name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`));
    }
    return this.deleteClaim(namespace, name) ?? current;
  }

  private watch(req: IncomingMessage, res: ServerResponse, url: URL, namespace: string | undefined): void {
    const matches = selectorsOf(url);
    const requested = url.searchParams.get('resourceVersion') ?? '';
    const fromScratch = requested === '' || requested === '0';
    const since = fromScratch ? this.store.resourceVersion : Number(requested);
    if (!fromScratch && !Number.isInteger(since)) {
      this.record(req, url, true, 400);
      sendJson(res, 400, statuses.badRequest(`invalid resource version: ${requested}`));
      return;
    }
    const history = fromScratch ? [] : this.store.eventsSince(since);
    if (history === 'gone' && this.goneAs === 'status') {
      this.record(req, url, true, 410);
      sendJson(res, 410, statuses.gone(requested, this.store.oldestResourceVersion));
      return;
    }

    this.record(req, url, true, 200);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' });
    res.flushHeaders();
    if (history === 'gone') {
      writeEvent(res, 'ERROR', statuses.gone(requested, this.store.oldestResourceVersion));
      res.end();
      return;
    }

    const inScope = (object: StoredClaim) => (namespace === undefined || object.metadata.namespace === namespace) && matches(object);
    const send = (event: StoredEvent) => {
      if (inScope(event.object)) writeEvent(res, event.type, event.object);
    };
    // Subscribe and replay in the same tick: nothing can be committed in between.
    const unsubscribe = this.store.subscribe(send);
    if (fromScratch) for (const object of this.store.list(namespace).filter(matches)) writeEvent(res, 'ADDED', object);
    else for (const event of history) send(event);

    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    const timer = timeoutSeconds > 0 ? setTimeout(() => connection.close(true), timeoutSeconds * 1000) : undefined;
    const connection: WatchConnection = {
      req,
      res,
      namespace,
      matches,
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      close: (graceful) => {
        cleanup();
        if (graceful) res.end();
        else req.socket.destroy();
      },
    };
    const cleanup = () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      this.watches.delete(connection);
    };
    this.watches.add(connection);
    res.on('close', cleanup);
  }
}

function selectorsOf(url: URL): Selector {
  const field = parseFieldSelector(url.searchParams.get('fieldSelector'));
  const label = parseLabelSelector(url.searchParams.get('labelSelector'));
  return (object) => field(object) && label(object);
}

function writeEvent(res: ServerResponse, type: string, object: unknown): void {
  if (!res.destroyed && !res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendStatus(res: ServerResponse, status: KubeStatus): void {
  sendJson(res, status.code, status);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('the request body is too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('the request body is not valid JSON');
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** The RBAC verb of a request, the way the API server's RequestInfo names it. */
function requestVerb(method: string, watch: boolean, name: string | undefined): string {
  if (method === 'GET') return watch ? 'watch' : name === undefined ? 'list' : 'get';
  return ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name === undefined ? 'deletecollection' : 'delete' } as Record<string, string>)[method] ?? method.toLowerCase();
}
