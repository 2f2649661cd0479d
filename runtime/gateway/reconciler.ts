/**
 * The runtime controller's gateway key reconciler (ADR 0025): runs a reconcile pass
 * (reconcile.ts) at start, again whenever the mounted admin Secret changes (a rotated or added
 * key), and every `resyncMs` to repair drift (a key deleted by hand in LiteLLM's UI). While the
 * gateway cannot be reached it retries with exponential backoff (1 s doubling to `maxBackoffMs`),
 * so a gateway that starts after the runtime, or restarts, is converged as soon as it answers.
 *
 * Several runtime replicas may run it at once: every step is idempotent and LiteLLM's unique
 * key tokens and aliases make a concurrent create fail harmlessly (the next pass sees the key).
 *
 * Its state is in status() (for readiness detail and tests), in the log (one line per change,
 * per problem, and when the gateway comes back; never a key) and in metrics (gateway-metrics.ts).
 */
import { errorMessage, type Logger } from '../log.ts';
import { readGatewayAdminSecret, type GatewayAdminSecret } from './admin-secret.ts';
import type { GatewayTeamConfig } from './key-plan.ts';
import { GatewayUnavailableError, LiteLLMAdmin } from './litellm-admin.ts';
import { reconcileGateway, type ReconcileReport } from './reconcile.ts';

export type ReconcilerState = 'starting' | 'converged' | 'degraded' | 'unreachable' | 'failing';

export interface ReconcilerStatus {
  /** converged: every team as configured; degraded: some teams have a problem (see teams);
   * unreachable: the gateway does not answer; failing: the Secret or the gateway refuses us */
  readonly state: ReconcilerState;
  readonly lastSuccessAt: Date | undefined;
  readonly lastError: string | undefined;
  /** team -> its problem, for teams that did not converge */
  readonly problems: Readonly<Record<string, string>>;
  readonly consecutiveFailures: number;
}

export interface GatewayReconcilerOptions {
  readonly gatewayUrl: string;
  readonly stack: string;
  readonly teams: readonly GatewayTeamConfig[];
  /** the mounted Secret paddock-gateway-admin */
  readonly secretDir: string;
  readonly log: Logger;
  /** how often the Secret is looked at for changes (default 10 s) */
  readonly checkMs?: number;
  /** a full pass at least this often, converged or not (default 5 min) */
  readonly resyncMs?: number;
  readonly maxBackoffMs?: number;
  readonly requestTimeoutMs?: number;
  /** after every pass: its report, or the error that ended it */
  readonly onPass?: (result: { readonly report?: ReconcileReport; readonly error?: unknown; readonly status: ReconcilerStatus }) => void;
}

export interface GatewayReconciler {
  status(): ReconcilerStatus;
  /** runs a pass now (waits for one in progress first); resolves with the status after it */
  runOnce(): Promise<ReconcilerStatus>;
  stop(): Promise<void>;
}

export function startGatewayReconciler(options: GatewayReconcilerOptions): GatewayReconciler {
  const { log } = options;
  const checkMs = options.checkMs ?? 10_000;
  const resyncMs = options.resyncMs ?? 300_000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  let status: ReconcilerStatus = { state: 'starting', lastSuccessAt: undefined, lastError: undefined, problems: {}, consecutiveFailures: 0 };
  let appliedFingerprint: string | undefined;
  let lastPassAt = 0;
  let nextRetryAt = 0;
  let stopped = false;
  let reportedProblem: string | undefined;

  const fail = (state: ReconcilerState, message: string) => {
    const failures = status.consecutiveFailures + 1;
    const backoff = Math.min(maxBackoffMs, 1000 * 2 ** Math.min(failures - 1, 16));
    nextRetryAt = Date.now() + backoff;
    status = { ...status, state, lastError: message, consecutiveFailures: failures };
    // once per distinct problem, not every retry
    if (reportedProblem !== message) log.warn(state === 'unreachable' ? 'model gateway unreachable; gateway keys will be reconciled when it answers' : 'model gateway keys cannot be reconciled', { problem: message, retryInMs: backoff });
    reportedProblem = message;
  };

  const pass = async (): Promise<ReconcilerStatus> => {
    lastPassAt = Date.now();
    let secret: GatewayAdminSecret;
    try {
      secret = readGatewayAdminSecret(options.secretDir);
    } catch (error) {
      fail('failing', errorMessage(error));
      options.onPass?.({ error, status });
      return status;
    }
    const admin = new LiteLLMAdmin({ url: options.gatewayUrl, masterKey: secret.masterKey, timeoutMs: options.requestTimeoutMs });
    try {
      const report = await reconcileGateway(admin, { stack: options.stack, teams: options.teams, keys: secret.teamKeys });
      const problems = Object.fromEntries(report.teams.filter((t) => t.problem !== undefined).map((t) => [t.team, t.problem!]));
      for (const team of report.teams) if (team.actions.length > 0) log.info('gateway team reconciled', { team: team.team, actions: team.actions });
      for (const r of report.removed) log.info('gateway keys of a team no longer configured deleted', { team: r.team, keys: r.keys });
      for (const [team, problem] of Object.entries(problems)) if (status.problems[team] !== problem) log.error('gateway team not reconciled', { team, problem });
      if (status.state === 'unreachable' || status.state === 'failing') log.info('model gateway reachable again; gateway keys reconciled', { teams: report.teams.length });
      status = { state: report.converged ? 'converged' : 'degraded', lastSuccessAt: new Date(), lastError: undefined, problems, consecutiveFailures: 0 };
      reportedProblem = undefined;
      appliedFingerprint = secret.fingerprint;
      nextRetryAt = report.converged ? 0 : Date.now() + Math.min(maxBackoffMs, 30_000);
      options.onPass?.({ report, status });
    } catch (error) {
      fail(error instanceof GatewayUnavailableError ? 'unreachable' : 'failing', errorMessage(error));
      options.onPass?.({ error, status });
    }
    return status;
  };

  // passes run one after another, never two at once
  let chain: Promise<unknown> = Promise.resolve();
  let inFlight = 0;
  const runOnce = (): Promise<ReconcilerStatus> => {
    inFlight++;
    const next = chain.then(() => pass()).finally(() => inFlight--);
    chain = next.catch(() => undefined);
    return next;
  };

  const due = (): boolean => {
    if (inFlight > 0) return false;
    const now = Date.now();
    if (status.state === 'starting') return true;
    if (status.state !== 'converged') return now >= nextRetryAt;
    if (now - lastPassAt >= resyncMs) return true;
    try {
      return readGatewayAdminSecret(options.secretDir).fingerprint !== appliedFingerprint;
    } catch {
      return true; // the pass reports what is wrong with it
    }
  };

  // a short tick decides whether a pass is due: a retry time reached, a changed Secret, a resync
  const tick = Math.min(checkMs, 1000);
  let lastCheck = 0;
  const timer = setInterval(() => {
    if (stopped) return;
    const now = Date.now();
    const retrying = status.state !== 'converged' && status.state !== 'starting';
    if (!retrying && now - lastCheck < checkMs) return;
    lastCheck = now;
    if (due()) void runOnce();
  }, tick);
  timer.unref();
  void runOnce();

  return {
    status: () => status,
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await chain;
    },
  };
}
