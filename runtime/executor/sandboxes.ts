/**
 * Getting a working sandbox for a turn. A session keeps its sandbox between turns; before each
 * turn the binding is checked over the protocol (alive, bound to our token, idle). A sandbox
 * that is gone — pod deleted, expired, harness crashed, or a restarted runtime finding a stale
 * binding — is recorded as lost and queued for release, and a new one is acquired; the turn
 * then hands it the whole history, so the agent resumes with context.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { HarnessCallError, HarnessClient } from '../../harnesses/protocol/client.ts';
import type { RuntimeHarnessConfig, RuntimeTeamConfig } from '../../config/runtime-config.ts';
import type { Pool } from '../db/pool.ts';
import { SandboxError, type SandboxBinding, type SandboxDriver } from '../drivers/sandbox-driver.ts';
import { errorMessage, type Logger } from '../log.ts';
import type { RuntimeMetrics } from '../metrics.ts';
import type { SessionEvent } from '../session-events.ts';
import { inSpan } from '../telemetry/spans.ts';
import { completeRelease, getBinding, moveBindingToReleases, pendingReleases, queueRelease, recordReleaseFailure, saveBinding, type StoredBinding } from '../store/bindings.ts';

export class SessionNotActiveError extends Error {
  constructor(sessionId: string) {
    super(`session ${sessionId} is no longer active`);
    this.name = 'SessionNotActiveError';
  }
}

export interface SandboxTarget {
  readonly sessionId: string;
  readonly team: RuntimeTeamConfig;
  readonly harness: RuntimeHarnessConfig;
}

/** Appends runtime events of the running turn (fenced by its lease). */
export type EmitEvents = (events: readonly SessionEvent[]) => Promise<void>;

/** What a turn dispatches to: its session's sandbox (`bound`), or a new one to bind (`fresh`). */
export type PreparedSandbox = { readonly bound: StoredBinding; readonly fresh?: undefined } | { readonly fresh: SandboxBinding; readonly claimMs: number; readonly bound?: undefined };

export type SandboxCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export class SandboxKeeper {
  /** sandboxes the driver confirmed alive in this process (re-checked after a restart) */
  private readonly verified = new Set<string>();
  /** per session: the sandbox whose last turn here ended cleanly, and when (idle and fine) */
  private readonly lastGood = new Map<string, { sandboxId: string; at: number }>();

  /**
   * `trustMs`: how long after a clean `done` the session's next turn skips the check over the
   * protocol (RuntimeOptions.warmSessionMs); 0 checks before every turn.
   */
  constructor(
    private readonly pool: Pool,
    readonly driver: SandboxDriver,
    private readonly metrics: RuntimeMetrics,
    private readonly log: Logger,
    private readonly trustMs = 30_000,
  ) {}

  /**
   * The session's sandbox for a turn about to be dispatched: the bound one when it is fine,
   * else (after recording a lost one) a new sandbox from the driver, not bound yet — the
   * caller binds it with the dispatch (store/turns.ts bindAndDispatch) and reports back with
   * `adopted` or `abandon`. `current`: the binding read with the claim.
   */
  async prepare(target: SandboxTarget, emit: EmitEvents, signal: AbortSignal, current?: StoredBinding | null): Promise<PreparedSandbox> {
    const binding = current === undefined ? await getBinding(this.pool, target.sessionId) : (current ?? undefined);
    if (binding) {
      // a sandbox that just finished a turn cleanly is idle: skip the round trip (if it died
      // since, the turn request fails before reaching it and the turn moves to a new sandbox)
      if (this.trustedSandbox(target.sessionId) === binding.sandboxId) return { bound: binding };
      const check = await this.check(binding, signal);
      if (check.ok) return { bound: binding };
      await this.markLost(target.sessionId, target.team.name, binding, check.reason, emit);
    }
    const claiming = performance.now();
    const fresh = await this.claim(target, signal);
    return { fresh, claimMs: performance.now() - claiming };
  }

  /** A sandbox from `prepare` is bound to its session now. */
  adopted(binding: StoredBinding, claimMs: number): void {
    this.verified.add(binding.sandboxId);
    this.log.info('sandbox acquired', { session: binding.sessionId, sandbox: binding.sandboxId, generation: binding.generation, ms: Math.round(claimMs) });
  }

  /** A sandbox from `prepare` could not be bound (the session ended, the lease was lost, the database failed): release it. */
  async abandon(sessionId: string, sandbox: SandboxBinding, reason: string): Promise<void> {
    this.log.info('sandbox released unbound', { session: sessionId, sandbox: sandbox.sandboxId, reason });
    await queueRelease(this.pool, sandbox).catch(() => undefined);
    await this.releaseNow(sandbox);
  }

  /**
   * Is this sandbox alive, ours and idle? One round trip when it is: an abort that finds nothing
   * running (204) proves it answers, to our token, and is idle. A turn still running there is
   * stale (a previous runtime process started it; nobody listens to it any more): the same call
   * aborted it (202), and the sandbox is polled until its turn ended.
   */
  async check(binding: SandboxBinding, signal: AbortSignal): Promise<SandboxCheck> {
    // the driver's own check first (an API, for Kubernetes): the token goes only to the sandbox
    // that still holds this incarnation, never to whatever answers at its address now
    if (!this.verified.has(binding.sandboxId)) {
      let alive = false;
      try {
        // the harness part of isAlive is the abort call below: asked once, not twice
        alive = await (this.driver.holdsIncarnation ? this.driver.holdsIncarnation(binding) : this.driver.isAlive(binding));
      } catch (error) {
        this.log.warn('sandbox liveness check failed', { sandbox: binding.sandboxId, error: errorMessage(error) });
      }
      if (!alive) return { ok: false, reason: 'the sandbox no longer exists' };
    }
    const client = new HarnessClient(binding.endpoint, binding.token, { timeoutMs: 3_000 });
    try {
      if (await client.abort({}, signal)) {
        let busy = true;
        // the harness ends an aborted turn within its abortGraceMs (2 s by default)
        for (let waitedMs = 0, pauseMs = 10; busy && waitedMs < 3_000; waitedMs += pauseMs, pauseMs = Math.min(pauseMs * 2, 200)) {
          await delay(pauseMs, undefined, { signal });
          busy = (await client.status(signal)).busy;
        }
        if (busy) return { ok: false, reason: 'the sandbox is stuck on an earlier turn' };
      }
      this.verified.add(binding.sandboxId);
      return { ok: true };
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof HarnessCallError && error.code === 'unauthorized') return { ok: false, reason: 'the sandbox no longer accepts this session\'s token (it was replaced)' };
      if (error instanceof HarnessCallError && error.code === 'unreachable') return { ok: false, reason: 'the sandbox does not answer' };
      return { ok: false, reason: `the sandbox misbehaves: ${errorMessage(error)}` };
    }
  }

  /** The session used its sandbox: let the driver push the sandbox's expiry out (in the background). */
  keepAlive(binding: SandboxBinding): void {
    if (!this.driver.keepAlive) return;
    this.driver.keepAlive(binding).catch((error: unknown) => this.log.warn('sandbox keep-alive failed', { sandbox: binding.sandboxId, error: errorMessage(error) }));
  }

  /** The sandbox ended a turn with `done`: it is alive, ours and idle right now. */
  markGood(sessionId: string, sandboxId: string): void {
    this.lastGood.delete(sessionId);
    if (this.trustMs <= 0) return;
    this.lastGood.set(sessionId, { sandboxId, at: performance.now() });
    if (this.lastGood.size > 10_000) this.lastGood.delete(this.lastGood.keys().next().value!);
  }

  /**
   * The sandbox of a session that this process saw finish a turn cleanly moments ago, if any.
   * Using the trust consumes it: the next turn after this one is checked or trusted anew.
   */
  trustedSandbox(sessionId: string): string | undefined {
    const good = this.lastGood.get(sessionId);
    this.lastGood.delete(sessionId);
    return good && performance.now() - good.at < this.trustMs ? good.sandboxId : undefined;
  }

  /** Takes a dead sandbox off its session (queued for release) and records why. */
  async markLost(sessionId: string, team: string, binding: StoredBinding, reason: string, emit: EmitEvents): Promise<void> {
    this.verified.delete(binding.sandboxId);
    this.lastGood.delete(sessionId);
    this.metrics.sandboxesLost.inc({ team, driver: binding.driver });
    this.log.warn('sandbox lost', { session: sessionId, sandbox: binding.sandboxId, reason });
    await moveBindingToReleases(this.pool, sessionId, binding.sandboxId);
    await emit([{ type: 'sandbox', action: 'lost', generation: binding.generation, reason }]);
    void this.releaseNow(binding);
  }

  /** Claims a new sandbox from the driver and binds it to the session (a turn already dispatched moving to a new sandbox). */
  async acquire(target: SandboxTarget, emit: EmitEvents, signal: AbortSignal): Promise<StoredBinding> {
    const started = performance.now();
    const binding = await this.claim(target, signal);
    let generation: number | undefined;
    try {
      generation = await saveBinding(this.pool, target.sessionId, binding);
    } catch (error) {
      await queueRelease(this.pool, binding).catch(() => undefined);
      void this.releaseNow(binding);
      throw error;
    }
    if (generation === undefined) {
      void this.releaseNow(binding, true);
      throw new SessionNotActiveError(target.sessionId);
    }
    this.verified.add(binding.sandboxId);
    this.log.info('sandbox acquired', { session: target.sessionId, sandbox: binding.sandboxId, generation, ms: Math.round(performance.now() - started) });
    await emit([{ type: 'sandbox', action: 'acquired', generation }]);
    return { ...binding, sessionId: target.sessionId, generation, acquiredAt: new Date() };
  }

  /** A new sandbox from the driver, not bound to anything yet. */
  private async claim(target: SandboxTarget, signal: AbortSignal): Promise<SandboxBinding> {
    const started = performance.now();
    try {
      // for Kubernetes this is the SandboxClaim's wait to Ready: the claim wait of a turn's trace
      const binding = await inSpan('sandbox.acquire', { 'paddock.sandbox.driver': this.driver.name }, () => this.driver.acquire({ team: target.team, harness: target.harness, sessionId: target.sessionId }, signal));
      this.metrics.sandboxClaimSeconds.observe({ team: target.team.name, driver: this.driver.name }, (performance.now() - started) / 1000);
      return binding;
    } catch (error) {
      const sandboxError = error instanceof SandboxError ? error : new SandboxError('driver_error', `the ${this.driver.name} driver failed: ${errorMessage(error)}`, false);
      this.metrics.sandboxClaimFailures.inc({ team: target.team.name, driver: this.driver.name, code: sandboxError.code });
      throw sandboxError;
    }
  }

  /** Best-effort immediate release; the queue (releasePending) retries what fails. */
  async releaseNow(binding: SandboxBinding, queueOnFailure = false): Promise<void> {
    this.verified.delete(binding.sandboxId);
    try {
      await this.driver.release(binding);
      await completeRelease(this.pool, binding.sandboxId).catch(() => undefined);
    } catch (error) {
      this.log.warn('sandbox release failed; will retry', { sandbox: binding.sandboxId, error: errorMessage(error) });
      if (queueOnFailure) await queueRelease(this.pool, binding).catch(() => undefined);
    }
  }

  /** Releases queued sandboxes (ended sessions, replaced sandboxes). */
  async releasePending(limit = 20): Promise<number> {
    const pending = await pendingReleases(this.pool, this.driver.name, limit);
    let released = 0;
    for (const binding of pending) {
      try {
        await this.driver.release(binding);
        await completeRelease(this.pool, binding.sandboxId);
        released++;
      } catch (error) {
        await recordReleaseFailure(this.pool, binding.sandboxId, errorMessage(error)).catch(() => undefined);
      }
    }
    return released;
  }
}
