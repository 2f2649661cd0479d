/**
 * The runtime controller, composed: Postgres pool and migrations, the API server, the turn
 * executor, the notification listener and a sandbox driver. `startRuntime` is what the
 * production entry (main.ts), dev mode (dev.ts), the tests and the benchmark all run.
 *
 * Start-up never crashes on an unreachable database: the API answers (/healthz 200, /readyz and
 * /v1 503 + Retry-After) while migrations are retried with backoff. Only a migration that
 * cannot be trusted (a changed applied file) is fatal: `ready` rejects with its message.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_AUDIT_RETENTION_DAYS, type RuntimeConfig } from '../config/runtime-config.ts';
import { createApiServer, type Readiness } from './api/server.ts';
import { SessionToolCallRate } from './audit/tool-call-rate.ts';
import { AuditTrail } from './audit/trail.ts';
import { createAuthenticator, type TokenHashes } from './auth.ts';
import { NotificationListener } from './db/listener.ts';
import { applyMigrations, loadMigrations, MigrationError, migrationsApplied, type Migration } from './db/migrate.ts';
import { Notifier } from './db/notifier.ts';
import { createPool, isDatabaseUnavailable } from './db/pool.ts';
import type { SandboxDriver } from './drivers/sandbox-driver.ts';
import { EventBus } from './event-bus.ts';
import { Executor } from './executor/executor.ts';
import { SandboxKeeper } from './executor/sandboxes.ts';
import { createLogger, errorMessage, type Logger } from './log.ts';
import { RuntimeMetrics } from './metrics.ts';
import { ABORTS_CHANNEL, ALL_CHANNELS, EVENTS_CHANNEL, TURNS_CHANNEL } from './store/channels.ts';
import { DEFAULT_HISTORY_MAX_CHARS } from './store/turns.ts';

/** how often a replica deletes the audit rows past the retention */
const AUDIT_EXPIRY_INTERVAL_MS = 6 * 3600_000;

export interface RuntimeOptions {
  readonly config: RuntimeConfig;
  readonly databaseUrl: string;
  readonly driver: SandboxDriver;
  readonly tokenHashes: TokenHashes;
  readonly port: number;
  /** default 0.0.0.0 */
  readonly host?: string;
  /** stable name of this replica (the pod name); leases are owned by `<name>/<instance>` */
  readonly replicaName?: string;
  readonly log?: Logger;
  readonly migrations?: readonly Migration[];
  readonly leaseMs?: number;
  readonly pollMs?: number;
  readonly maxConcurrentTurns?: number;
  readonly maxQueuedTurns?: number;
  /**
   * How long after a turn ends cleanly on this replica its session's next turn takes the two
   * shortcuts (ADR 0014): the sandbox that just said `done` is trusted without a protocol
   * check, and the conversation is handed over from memory instead of being rebuilt from the
   * turns table. Default 30 s; 0 turns both off (every turn is a cold turn).
   */
  readonly warmSessionMs?: number;
  /** overrides config.turnTimeoutSeconds */
  readonly turnTimeoutMs?: number;
  readonly sseKeepAliveMs?: number;
  readonly poolMax?: number;
  /** closing the runtime closes the driver too (default true) */
  readonly ownsDriver?: boolean;
}

export interface Runtime {
  readonly url: string;
  readonly port: number;
  readonly owner: string;
  /** resolves once migrations are applied and turns are being executed; rejects when fatal */
  readonly ready: Promise<void>;
  isReady(): boolean;
  readonly metrics: RuntimeMetrics;
  /** graceful stop: not ready, no new turns, running turns get `drainMs` to finish */
  close(options?: { drainMs?: number }): Promise<void>;
  /** from now on the API authenticates with these hashes (a rotated Secret) */
  setTokenHashes(hashes: TokenHashes): void;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const log = options.log ?? createLogger();
  const replicaName = options.replicaName ?? hostname();
  const owner = `${replicaName}/${randomUUID().slice(0, 8)}`;
  const metrics = new RuntimeMetrics();
  const migrations = options.migrations ?? loadMigrations();
  const pool = createPool({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 20,
    onError: (error) => {
      metrics.dbErrors.inc({ kind: 'unavailable' });
      log.debug('idle database connection failed', { error: errorMessage(error) });
    },
  });
  // claims and lease renewals need no WAL flush: a lost one is harmless (see createPool)
  const leasePool = createPool({ connectionString: options.databaseUrl, max: 3, asyncCommit: true, onError: () => metrics.dbErrors.inc({ kind: 'unavailable' }) });
  // events committed here are announced after their commit, many sessions per statement (ADR 0020)
  const notifier = new Notifier(leasePool, (error) => {
    metrics.dbErrors.inc({ kind: isDatabaseUnavailable(error) ? 'unavailable' : 'other' });
    log.debug('sending notifications failed; listeners resync, streams re-read', { error: errorMessage(error) });
  });
  const bus = new EventBus((sessionId, lastSeq) => notifier.notify(EVENTS_CHANNEL, `${sessionId}:${lastSeq}`, sessionId, lastSeq));
  const warmSessionMs = options.warmSessionMs ?? 30_000;
  const toolCallRate = new SessionToolCallRate(metrics.registry, log.child('turns'));
  const keeper = new SandboxKeeper(pool, options.driver, metrics, log.child('sandboxes'), warmSessionMs);
  const teams = new Map(options.config.teams.map((t) => [t.name, t]));
  const executor = new Executor({
    pool,
    leasePool,
    owner,
    replicaName,
    keeper,
    metrics,
    log: log.child('turns'),
    leaseMs: options.leaseMs,
    pollMs: options.pollMs,
    maxConcurrentTurns: options.maxConcurrentTurns,
    conversationTtlMs: warmSessionMs,
    runner: {
      publish: (sessionId, events) => {
        toolCallRate.observe(sessionId, events);
        bus.publish(sessionId, events);
      },
      lookup: (teamName, harnessName) => {
        const team = teams.get(teamName);
        const harness = team?.harnesses.find((h) => h.name === harnessName);
        return team && harness ? { team, harness } : undefined;
      },
      turnTimeoutMs: options.turnTimeoutMs ?? options.config.turnTimeoutSeconds * 1000,
      maxAttempts: 5,
      historyMaxChars: DEFAULT_HISTORY_MAX_CHARS,
      abortGraceMs: 5_000,
      notifier,
    },
  });
  const listener = new NotificationListener({
    connectionString: options.databaseUrl,
    channels: ALL_CHANNELS,
    log: log.child('listen'),
    onNotification: (channel, payload) => {
      const [sessionId, number] = payload.split(':');
      if (!sessionId) return;
      if (channel === EVENTS_CHANNEL) bus.committed(sessionId, Number(number));
      else if (channel === TURNS_CHANNEL) executor.kick();
      else if (channel === ABORTS_CHANNEL) executor.abortLocal(sessionId, Number(number));
    },
    onConnected: (reconnect) => {
      if (reconnect) {
        bus.resyncAll();
        executor.kick();
      }
    },
  });

  // the API audits the 503s it answers before the migrations ran: written once they have
  const audit = new AuditTrail(pool, log.child('audit'), metrics.registry, isDatabaseUnavailable, { heldUntilOpen: true });
  const auditRetentionDays = options.config.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
  let auditExpiry: NodeJS.Timeout | undefined;
  let authenticate = createAuthenticator(options.tokenHashes);
  let state: Readiness = { ready: false, reason: 'applying database migrations' };
  let closing = false;
  const api = createApiServer({
    pool,
    config: options.config,
    authenticate: (token) => authenticate(token),
    bus,
    metrics,
    log: log.child('api'),
    readiness: () => state,
    probeDatabase: async () => {
      try {
        if (!(await migrationsApplied(pool, migrations))) return { ready: false, reason: 'database migrations are not applied' };
        return { ready: true };
      } catch (error) {
        return { ready: false, reason: isDatabaseUnavailable(error) ? 'the database is unreachable' : `database check failed: ${errorMessage(error)}` };
      }
    },
    turns: executor,
    audit,
    harnessUnavailable: options.driver.unavailableReason ? (harness) => options.driver.unavailableReason!(harness) : undefined,
    maxQueuedTurns: options.maxQueuedTurns,
    sseKeepAliveMs: options.sseKeepAliveMs,
  });

  await new Promise<void>((resolve, reject) => {
    api.server.once('error', reject);
    api.server.listen(options.port, options.host ?? '0.0.0.0', () => {
      api.server.off('error', reject);
      resolve();
    });
  });
  const address = api.server.address() as AddressInfo;
  const shownHost = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const url = `http://${shownHost}:${address.port}`;

  const ready = (async () => {
    let backoff = 200;
    for (;;) {
      if (closing) throw new Error('the runtime was closed before it became ready');
      try {
        const result = await applyMigrations(pool, migrations, (line) => log.info(line));
        if (result.applied.length > 0) log.info('database migrations applied', { applied: result.applied });
        audit.open();
        await executor.start();
        break;
      } catch (error) {
        if (error instanceof MigrationError) {
          state = { ready: false, reason: error.message };
          throw error;
        }
        if (!isDatabaseUnavailable(error)) throw error;
        state = { ready: false, reason: 'waiting for the database' };
        log.warn('database unavailable at start-up; retrying', { error: errorMessage(error), retryInMs: backoff });
        await delay(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
    listener.start();
    // every replica expires: the deletes are idempotent, and one replica less changes nothing
    void audit.expire(auditRetentionDays);
    auditExpiry = setInterval(() => void audit.expire(auditRetentionDays), AUDIT_EXPIRY_INTERVAL_MS).unref();
    state = { ready: true };
    log.info('runtime ready', { url, owner, driver: options.driver.name, teams: options.config.teams.length });
  })();
  ready.catch(() => undefined);

  return {
    url,
    port: address.port,
    owner,
    ready,
    metrics,
    isReady: () => state.ready,
    setTokenHashes(hashes) {
      authenticate = createAuthenticator(hashes);
    },
    async close(closeOptions = {}) {
      if (closing) return;
      closing = true;
      state = { ready: false, reason: 'shutting down' };
      // the migrations may never finish (another replica holds their lock, with no timeout):
      // what the trail holds for them is logged now, not lost with a SIGKILL while waiting
      if (!audit.isOpen) await audit.flush();
      await ready.catch(() => undefined);
      await executor.stop(closeOptions.drainMs ?? 30_000);
      api.closeStreams();
      clearInterval(auditExpiry);
      await new Promise<void>((resolve) => {
        api.server.close(() => resolve());
        api.server.closeIdleConnections();
        setTimeout(() => api.server.closeAllConnections(), 2_000).unref();
      });
      await listener.close();
      // the audit rows of the last requests are written before the pool closes
      await audit.flush();
      await notifier.flush();
      if (options.ownsDriver ?? true) await options.driver.close().catch((error: unknown) => log.warn('closing the sandbox driver failed', { error: errorMessage(error) }));
      await pool.end().catch(() => undefined);
      await leasePool.end().catch(() => undefined);
    },
  };
}
