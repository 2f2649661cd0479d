/**
 * The runtime's HTTP API (node:http): sessions, messages, events (JSON pages or SSE), abort,
 * and the probes and metrics. Every body is validated strictly; every error is
 * `{"error":{"code","message"}}`; a session of another team answers exactly like a missing
 * one (404); an unavailable database answers 503 with Retry-After, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RuntimeConfig, RuntimeHarnessConfig, RuntimeTeamConfig } from '../../config/runtime-config.ts';
import { bearerToken, HttpError, readJsonBody, sendError, sendHttpError, sendJson } from '../../harnesses/protocol/http.ts';
import { unauthenticatedMessage, type Authenticator, type Principal } from '../auth.ts';
import { isDatabaseUnavailable, isPoolExhausted, type Pool } from '../db/pool.ts';
import type { EventBus } from '../event-bus.ts';
import { errorMessage, type Logger } from '../log.ts';
import { METRICS_CONTENT_TYPE, type RuntimeMetrics } from '../metrics.ts';
import { requestIdFrom, REQUEST_ID_HEADER } from '../telemetry/request-id.ts';
import { context, extractContext, failSpan, inSpan, SpanKind, SpanStatusCode, trace, traceHeaders, tracer } from '../telemetry/spans.ts';
import { eventToJson } from '../session-events.ts';
import { listEvents } from '../store/events.ts';
import type { SessionState } from '../store/records.ts';
import { countSessionsByState, createSession, finishSession, getSession, listSessions } from '../store/sessions.ts';
import type { DispatchReservation } from '../executor/executor.ts';
import { activeTurn, requestAbort, type ClaimedTurn, type EnqueueResult } from '../store/turns.ts';
import { EnqueueGroupCommit } from './enqueue-group-commit.ts';
import type { HistoryMessage } from '../../harnesses/protocol/types.ts';
import { streamSessionEvents } from './event-stream.ts';
import { CONSOLE_PATH, createConsoleAssets, type ConsoleAssets } from './console-assets.ts';
import { listHarnesses } from './harnesses.ts';
import { sessionToJson, turnToJson } from './representation.ts';
import { usageRoute } from './usage.ts';
import { auditRoute } from './audit.ts';
import { summaryRoute } from './summary.ts';
import { assertEveryRouteAudited } from '../audit/actions.ts';
import { auditEntryFor } from '../audit/request-entry.ts';
import type { AuditTrail } from '../audit/trail.ts';
import { abortBody, adminCreateSessionBody, API_MAX_BODY_BYTES, createSessionBody, isUuid, messageBody, SESSION_STATES } from './schemas.ts';

export interface Readiness {
  readonly ready: boolean;
  /** why not, for /readyz */
  readonly reason?: string;
}

export interface TurnControl {
  kick(): void;
  reserveDispatch(sessionId: string): DispatchReservation | undefined;
  launchDispatched(claimed: ClaimedTurn, history: HistoryMessage[], startedSeq: number): void;
  launchClaimed(claimed: ClaimedTurn): void;
  abortLocal(sessionId: string, turn?: number): boolean;
  releaseSandboxes(): Promise<void>;
  readonly runningCount: number;
}

export interface ApiOptions {
  readonly pool: Pool;
  readonly config: RuntimeConfig;
  readonly authenticate: Authenticator;
  readonly bus: EventBus;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly readiness: () => Readiness;
  /** checks the database now (for /readyz) */
  readonly probeDatabase: () => Promise<Readiness>;
  readonly turns: TurnControl;
  /** records every audited request after its response (ADR 0027) */
  readonly audit: AuditTrail;
  /** why the sandbox driver cannot run a harness at all (see SandboxDriver.unavailableReason) */
  readonly harnessUnavailable?: (harness: string) => string | undefined;
  readonly maxQueuedTurns?: number;
  readonly sseKeepAliveMs?: number;
  /** seconds a client should wait before retrying after a 503 */
  readonly retryAfterSeconds?: number;
  /** the web console's built files (default: console/dist, see console-assets.ts) */
  readonly consoleAssets?: ConsoleAssets;
}

export interface ApiServer {
  readonly server: Server;
  /** ends open event streams (before server.close, which waits for them) */
  closeStreams(): void;
  readonly openStreams: () => number;
}

type Params = Record<string, string>;

/** What the server learns about a request as it handles it (for its span, metrics and audit). */
interface RequestRoute {
  name: string;
  template?: string;
  principal?: Principal;
  params?: Params;
  /** the error code of an error answer */
  errorCode?: string;
}
type Handler = (ctx: RequestContext) => Promise<void> | void;

interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Params;
  principal(): Principal;
  /** the caller's X-Request-Id or a new one; echoed in the response */
  readonly requestId: string;
  /** the API log with this request's id on every line */
  readonly log: Logger;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  /** the pattern as a template (`/v1/sessions/{id}`), computed: the span's http.route */
  template?: string;
  readonly name: string;
  readonly handler: Handler;
  readonly public?: boolean;
}

const notFound = (id: string) => new HttpError(404, 'session_not_found', `no session ${id}`);

function sessionId(params: Params): string {
  const id = params.id ?? '';
  if (!isUuid(id)) throw new HttpError(400, 'invalid_id', `session id ${JSON.stringify(id.slice(0, 80))} is not a UUID`);
  return id.toLowerCase();
}

function teamOf(principal: Principal): string | undefined {
  return principal.kind === 'team' ? principal.team : undefined;
}

/** Query parameters: only the known ones, each a non-negative integer or from a set. */
function queryParams(url: URL, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) throw new HttpError(400, 'invalid_query', `unknown query parameter "${name}"${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`);
    out[name] = value;
  }
  return out;
}

function integerParam(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,16}$/.test(value) || Number(value) < min || Number(value) > max) throw new HttpError(400, 'invalid_query', `"${name}" must be an integer from ${min} to ${max}, got ${JSON.stringify(value.slice(0, 40))}`);
  return Number(value);
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(value: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || typeof id !== 'string' || !isUuid(id)) throw new Error('bad');
    return { createdAt: date, id };
  } catch {
    throw new HttpError(400, 'invalid_query', '"cursor" is not a cursor this API returned');
  }
}

/** `/^\/v1\/sessions\/(?<id>[^/]+)$/` → `/v1/sessions/{id}` (a low-cardinality span name) */
/** Kubelet probes and Prometheus scrapes: no span (they would be most of the traces and say nothing) */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function routeTemplate(pattern: RegExp): string {
  return pattern.source.replace(/^\^/, '').replace(/\$$/, '').replace(/\(\?<(\w+)>[^)]*\)/g, '{$1}').replace(/\\\//g, '/');
}

export function createApiServer(options: ApiOptions): ApiServer {
  const { pool, config, bus, metrics, log } = options;
  // the messages of one moment stored by one statement (ADR 0020)
  const enqueues = new EnqueueGroupCommit(pool);
  const maxQueuedTurns = options.maxQueuedTurns ?? 16;
  const retryAfter = String(options.retryAfterSeconds ?? 2);
  let streams = 0;
  let closeStreams!: () => void;
  const closing = new Promise<void>((resolve) => (closeStreams = resolve));

  const teams = new Map(config.teams.map((t) => [t.name, t]));
  const consoleAssets = options.consoleAssets ?? createConsoleAssets();
  const harnessOf = (team: RuntimeTeamConfig, name: string): RuntimeHarnessConfig => {
    const harness = team.harnesses.find((h) => h.name === name);
    if (!harness) {
      const names = team.harnesses.map((h) => h.name).sort();
      throw new HttpError(400, 'unknown_harness', `team "${team.name}" has no harness "${name}"; its harnesses: ${names.length ? names.join(', ') : '(none)'}`);
    }
    return harness;
  };

  const routes: Route[] = [
    { method: 'GET', pattern: /^\/healthz$/, name: 'healthz', public: true, handler: ({ res }) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET', pattern: /^\/readyz$/, name: 'readyz', public: true,
      handler: async ({ res }) => {
        const state = options.readiness().ready ? await options.probeDatabase() : options.readiness();
        if (state.ready) sendJson(res, 200, { status: 'ready' });
        else sendJson(res, 503, { status: 'not_ready', reason: state.reason ?? 'starting' }, { 'retry-after': retryAfter });
      },
    },
    {
      method: 'GET', pattern: /^\/metrics$/, name: 'metrics', public: true,
      handler: async ({ res }) => {
        let sessionsByState: Record<string, number> | undefined;
        if (options.readiness().ready) {
          try {
            sessionsByState = await countSessionsByState(pool);
          } catch (error) {
            metrics.dbErrors.inc({ kind: isDatabaseUnavailable(error) ? 'unavailable' : 'other' });
          }
        }
        const body = await metrics.render({ sessionsByState, turnsRunning: options.turns.runningCount, ready: options.readiness().ready, streams });
        res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
        res.end(body);
      },
    },
    {
      method: 'POST', pattern: /^\/v1\/sessions$/, name: 'sessions.create',
      handler: async ({ req, res, principal, log }) => {
        const who = principal();
        const body = who.kind === 'admin' ? await readJsonBody(req, adminCreateSessionBody, { limit: API_MAX_BODY_BYTES }) : { ...(await readJsonBody(req, createSessionBody, { limit: API_MAX_BODY_BYTES })), team: who.team };
        const team = teams.get(body.team);
        if (!team) throw new HttpError(400, 'unknown_team', `there is no team "${body.team}" in stack "${config.stack}"`);
        const harness = harnessOf(team, body.harness);
        const unavailable = options.harnessUnavailable?.(harness.name);
        if (unavailable) throw new HttpError(422, 'harness_unavailable', unavailable);
        const session = await createSession(pool, { team: team.name, harness: harness.name, title: body.title });
        log.info('session created', { session: session.id, team: team.name, harness: harness.name });
        sendJson(res, 201, { session: sessionToJson(session) }, { location: `/v1/sessions/${session.id}` });
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/sessions$/, name: 'sessions.list',
      handler: async ({ res, url, principal }) => {
        const who = principal();
        const query = queryParams(url, who.kind === 'admin' ? ['limit', 'cursor', 'state', 'team'] : ['limit', 'cursor', 'state']);
        const limit = integerParam('limit', query.limit, 50, 1, 200);
        if (query.state !== undefined && !SESSION_STATES.includes(query.state as SessionState)) throw new HttpError(400, 'invalid_query', `"state" must be one of ${SESSION_STATES.join(', ')}`);
        const sessions = await listSessions(pool, {
          team: teamOf(who) ?? query.team,
          state: query.state as SessionState | undefined,
          limit: limit + 1,
          before: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        });
        const page = sessions.slice(0, limit);
        const last = page.at(-1);
        sendJson(res, 200, { sessions: page.map(sessionToJson), nextCursor: sessions.length > limit && last ? encodeCursor(last.createdAt, last.id) : null });
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/sessions\/(?<id>[^/]+)$/, name: 'sessions.get',
      handler: async ({ res, params, principal }) => {
        const id = sessionId(params);
        const session = await getSession(pool, id, teamOf(principal()));
        if (!session) throw notFound(id);
        const turn = await activeTurn(pool, id);
        sendJson(res, 200, { session: { ...sessionToJson(session), activeTurn: turn ? turnToJson(turn) : null } });
      },
    },
    {
      method: 'DELETE', pattern: /^\/v1\/sessions\/(?<id>[^/]+)$/, name: 'sessions.delete',
      handler: async ({ res, params, principal, log }) => {
        const id = sessionId(params);
        const result = await finishSession(pool, id, 'ended', undefined, teamOf(principal()));
        if (!result) throw notFound(id);
        if (result.runningTurn !== undefined) options.turns.abortLocal(id, result.runningTurn);
        if (result.changed) {
          log.info('session ended', { session: id });
          void options.turns.releaseSandboxes();
        }
        sendJson(res, 200, { session: sessionToJson(result.session) });
      },
    },
    {
      method: 'POST', pattern: /^\/v1\/sessions\/(?<id>[^/]+)\/messages$/, name: 'sessions.message',
      handler: async ({ req, res, params, principal }) => {
        const id = sessionId(params);
        const who = principal();
        const body = await readJsonBody(req, messageBody, { limit: API_MAX_BODY_BYTES });
        const reservation = options.turns.reserveDispatch(id);
        let result: EnqueueResult;
        try {
          // the turn launched below runs in this request's trace: its span is this one's child
          // stored with a queued turn: whichever replica claims it later continues this trace
          result = await inSpan('turn.enqueue', { 'paddock.session.id': id, 'paddock.turn.fast_dispatch': reservation?.dispatch !== undefined }, () => enqueues.enqueue({ sessionId: id, team: teamOf(who), input: body.text, maxQueued: maxQueuedTurns, fast: reservation?.dispatch, traceParent: traceHeaders().traceparent }));
          if (result.ok && result.dispatched) options.turns.launchDispatched(result.dispatched.claimed, result.dispatched.history, result.events.at(-1)!.seq);
          else if (result.ok && result.claimed) options.turns.launchClaimed(result.claimed);
        } finally {
          // the launched turn holds its own slot now
          reservation?.release();
        }
        if (!result.ok) {
          if (result.reason === 'not_found') throw notFound(id);
          if (result.reason === 'not_active') throw new HttpError(409, 'session_not_active', `session ${id} is ${result.state}; open a new session`);
          throw new HttpError(409, 'turn_queue_full', `session ${id} already has ${maxQueuedTurns} unfinished turns; wait for them or abort`);
        }
        bus.publish(id, result.events);
        const accepted = { turn: { ...turnToJson(result.turn), messageSeq: result.events[0]!.seq } };
        if (result.dispatched) {
          // the turn request to the harness is queued for the next tick: answer after it, so the
          // harness starts working while the client reads this answer
          await new Promise<void>((resolve) => process.nextTick(resolve));
        } else if (!result.claimed) {
          options.turns.kick();
        }
        sendJson(res, 202, accepted);
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/sessions\/(?<id>[^/]+)\/events$/, name: 'sessions.events',
      handler: async ({ req, res, url, params, principal }) => {
        const id = sessionId(params);
        const query = queryParams(url, ['after', 'limit']);
        const lastEventId = req.headers['last-event-id'];
        const after = typeof lastEventId === 'string' && lastEventId !== '' ? integerParam('Last-Event-ID', lastEventId, 0, 0, Number.MAX_SAFE_INTEGER) : integerParam('after', query.after, 0, 0, Number.MAX_SAFE_INTEGER);
        const session = await getSession(pool, id, teamOf(principal()));
        if (!session) throw notFound(id);
        if (/\btext\/event-stream\b/.test(String(req.headers.accept ?? ''))) {
          streams++;
          try {
            await streamSessionEvents(req, res, { pool, bus, sessionId: id, after, keepAliveMs: options.sseKeepAliveMs ?? 15_000, closing, onDatabaseError: (error) => metrics.dbErrors.inc({ kind: isDatabaseUnavailable(error) ? 'unavailable' : 'other' }) });
          } finally {
            streams--;
          }
          return;
        }
        const limit = integerParam('limit', query.limit, 100, 1, 1000);
        const events = await listEvents(pool, id, after, limit + 1);
        const page = events.slice(0, limit);
        sendJson(res, 200, { events: page.map(eventToJson), nextAfter: page.at(-1)?.seq ?? after, hasMore: events.length > limit, session: { state: session.state, lastSeq: session.lastSeq } });
      },
    },
    {
      method: 'POST', pattern: /^\/v1\/sessions\/(?<id>[^/]+)\/abort$/, name: 'sessions.abort',
      handler: async ({ req, res, params, principal }) => {
        const id = sessionId(params);
        await readJsonBody(req, abortBody, { limit: API_MAX_BODY_BYTES, allowEmpty: true });
        const session = await getSession(pool, id, teamOf(principal()));
        if (!session) throw notFound(id);
        const result = await requestAbort(pool, id);
        if (result.runningTurn !== undefined) options.turns.abortLocal(id, result.runningTurn);
        sendJson(res, 202, { aborted: { running: result.runningTurn ?? null, queued: result.abortedQueued } });
      },
    },
    usageRoute({ pool, teams: new Set(teams.keys()) }),
    summaryRoute({ pool }),
    auditRoute({ pool, teams: new Set(teams.keys()) }),
    {
      method: 'GET', pattern: /^\/v1\/harnesses$/, name: 'harnesses.list',
      handler: ({ res, url, principal }) => {
        queryParams(url, []);
        sendJson(res, 200, listHarnesses(config, principal(), (name) => options.harnessUnavailable?.(name)));
      },
    },
    // last: the web console answers every path the API does not own
    { method: 'GET', pattern: CONSOLE_PATH, name: 'console', public: true, handler: ({ req, res, url }) => consoleAssets.handle(req, res, url) },
    { method: 'HEAD', pattern: CONSOLE_PATH, name: 'console', public: true, handler: ({ req, res, url }) => consoleAssets.handle(req, res, url) },
  ];
  // a route without an audit entry would escape the trail: refuse to start instead
  assertEveryRouteAudited(routes);

  async function handle(req: IncomingMessage, res: ServerResponse, route: RequestRoute, requestId: string, requestLog: Logger): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://runtime.invalid');
    } catch {
      throw new HttpError(400, 'invalid_url', 'the request URL cannot be parsed');
    }
    const candidates = routes.filter((r) => r.pattern.test(url.pathname));
    if (candidates.length === 0) throw new HttpError(404, 'not_found', `no route ${req.method} ${url.pathname}`);
    const matched = candidates.find((r) => r.method === req.method);
    if (!matched) {
      const allow = candidates.map((r) => r.method).join(', ');
      throw new HttpError(405, 'method_not_allowed', `${url.pathname} accepts ${allow}`, { allow });
    }
    route.name = matched.name;
    route.template = matched.template ??= routeTemplate(matched.pattern);
    const params = (matched.pattern.exec(url.pathname)?.groups ?? {}) as Params;
    route.params = params;
    let principal: Principal | undefined;
    if (!matched.public) {
      principal = options.authenticate(bearerToken(req));
      route.principal = principal;
      if (!principal) throw new HttpError(401, 'unauthorized', unauthenticatedMessage(req.headers.authorization), { 'www-authenticate': 'Bearer realm="paddock"' });
      const readiness = options.readiness();
      if (!readiness.ready) throw new HttpError(503, 'not_ready', `the runtime is not ready: ${readiness.reason ?? 'starting'}`, { 'retry-after': retryAfter });
    }
    await matched.handler({ req, res, url, params, principal: () => principal!, requestId, log: requestLog });
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const route: RequestRoute = { name: 'unmatched' };
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const clientAddress = req.socket.remoteAddress;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const requestLog = log.with({ requestId });
    // a server span per request, continuing the caller's trace when it sent a traceparent; probes
    // and scrapes (every few seconds, per replica) make none
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const span = UNTRACED_PATHS.has(path) ? undefined : tracer.startSpan(req.method ?? 'HTTP', { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? '', 'url.path': path, 'paddock.request_id': requestId } }, extractContext(req.headers));
    res.on('finish', () => {
      metrics.httpRequests.inc({ route: route.name, code: `${Math.floor(res.statusCode / 100)}xx` });
      // an event stream lasts as long as its client listens: not a request duration
      if (!String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) metrics.httpSeconds.observe({ route: route.name }, (performance.now() - started) / 1000);
    });
    res.on('close', () => {
      const entry = auditEntryFor({ req, res, routeName: route.name, route: route.template ?? '', principal: route.principal, params: route.params ?? {}, requestId, clientAddress, errorCode: route.errorCode });
      if (entry) options.audit.record(entry);
      if (span?.isRecording()) {
        if (route.template) span.updateName(`${req.method} ${route.template}`).setAttribute('http.route', route.template);
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span?.end();
    });
    const run = () => handle(req, res, route, requestId, requestLog);
    (span ? context.with(trace.setSpan(context.active(), span), run) : run()).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('connection', 'close');
        route.errorCode = error.code;
        sendHttpError(res, error);
      } else if (isPoolExhausted(error)) {
        // every connection stayed busy: shed this request rather than queue it longer
        metrics.dbErrors.inc({ kind: 'overloaded' });
        route.errorCode = 'overloaded';
        sendError(res, 503, 'overloaded', 'this runtime replica is overloaded (every database connection stayed busy); retry shortly', { 'retry-after': retryAfter });
      } else if (isDatabaseUnavailable(error)) {
        metrics.dbErrors.inc({ kind: 'unavailable' });
        route.errorCode = 'database_unavailable';
        sendError(res, 503, 'database_unavailable', 'the database is unavailable; retry shortly', { 'retry-after': retryAfter });
      } else {
        if (span) failSpan(span, error);
        requestLog.error('request failed', { method: req.method, route: route.name, error: errorMessage(error), stack: (error as Error).stack?.split('\n').slice(0, 4).join(' | ') });
        route.errorCode = 'internal';
        sendError(res, 500, 'internal', 'internal error; see the runtime log');
      }
    });
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  return { server, closeStreams: () => closeStreams(), openStreams: () => streams };
}
