/**
 * The turn executor of one replica: claims runnable turns from Postgres (woken by NOTIFY, by
 * this replica's own API, and by a slow poll that also catches expired leases), runs them
 * with bounded concurrency, renews their leases, and releases sandboxes of ended sessions.
 * Shutting down stops claiming, lets running turns finish for a while, then interrupts them
 * (recorded as such, never dropped).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Pool } from '../db/pool.ts';
import { isDatabaseUnavailable } from '../db/pool.ts';
import { errorMessage, type Logger } from '../log.ts';
import type { RuntimeMetrics } from '../metrics.ts';
import { context, ROOT_CONTEXT } from '../telemetry/spans.ts';
import { claimTurns, closeEndedSessionLog, expireLeasesOfPreviousInstances, releaseLease, renewLeases, type ClaimedTurn, type FastDispatch } from '../store/turns.ts';
import { reportInterruptedTurns } from '../store/interrupted-turns.ts';
import { TURNS_CHANNEL } from '../store/channels.ts';
import { ConversationCache } from './conversation-cache.ts';
import { GroupCommit } from './group-commit.ts';
import { DispatchGroupCommit } from './dispatch-group-commit.ts';
import type { SandboxKeeper } from './sandboxes.ts';
import { runClaimedTurn, TurnStop, type PreDispatched, type TurnRunnerDeps } from './turn-runner.ts';
import type { HistoryMessage } from '../../harnesses/protocol/types.ts';

export interface ExecutorOptions {
  readonly pool: Pool;
  /** for claims and lease renewals (asynchronous commit: see createPool's asyncCommit) */
  readonly leasePool: Pool;
  /** `<replica name>/<instance id>`: the lease owner */
  readonly owner: string;
  readonly replicaName: string;
  readonly keeper: SandboxKeeper;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly runner: Omit<TurnRunnerDeps, 'pool' | 'owner' | 'keeper' | 'conversations' | 'metrics' | 'log' | 'shutdownSignal' | 'groupCommit' | 'dispatches'>;
  readonly maxConcurrentTurns?: number;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  readonly releaseEveryMs?: number;
  /** how long a finished turn's conversation is kept for the session's next turn (0: never) */
  readonly conversationTtlMs?: number;
  /** group commit statements of streamed events in flight at once (default 2) */
  readonly groupCommitStatements?: number;
}

interface Running {
  readonly sessionId: string;
  readonly turn: number;
  readonly stop: AbortController;
  readonly done: Promise<void>;
}

const key = (sessionId: string, turn: number) => `${sessionId}:${turn}`;

/** A slot held for a turn the API may claim with its message, and how it may claim it. */
export interface DispatchReservation {
  readonly dispatch: FastDispatch;
  /** gives the slot back (idempotent): after the turn was launched, or when it was not claimed */
  release(): void;
}

export class Executor {
  private readonly running = new Map<string, Running>();
  private readonly shutdown = new AbortController();
  private readonly maxConcurrent: number;
  readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly releaseEveryMs: number;
  private claiming: Promise<void> | undefined;
  private claimAgain = false;
  /** runnable turns may be waiting for a free slot here: look again when a turn ends */
  private capacityLimited = false;
  private timers: NodeJS.Timeout[] = [];
  /** conversations of sessions whose turn just ended here, for their next turn's fast dispatch */
  private readonly conversations: ConversationCache;
  private started = false;
  private stopping = false;
  /** slots held for turns the API is claiming with their message (reserveDispatch) */
  private reserved = 0;
  /** the next claim pass first reports expired, dispatched turns in bulk (set by the poll) */
  private sweepDue = false;
  /** the events every turn running here streams are committed together (ADR 0020) */
  private readonly groupCommit: GroupCommit;
  private readonly dispatches: DispatchGroupCommit;

  constructor(private readonly options: ExecutorOptions) {
    this.maxConcurrent = options.maxConcurrentTurns ?? 64;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.pollMs = options.pollMs ?? 2_000;
    this.releaseEveryMs = options.releaseEveryMs ?? 5_000;
    this.groupCommit = new GroupCommit(options.pool, { maxInFlight: options.groupCommitStatements ?? 2 });
    this.dispatches = new DispatchGroupCommit(options.pool, { maxInFlight: options.groupCommitStatements ?? 2 });
    this.conversations = new ConversationCache({ ttlMs: options.conversationTtlMs ?? 30_000, maxChars: 64 * 1024 * 1024 });
  }

  get runningCount(): number {
    return this.running.size;
  }

  async start(): Promise<void> {
    if (this.started) return;
    const expired = await expireLeasesOfPreviousInstances(this.options.leasePool, this.options.replicaName, this.options.owner);
    if (expired > 0) {
      this.options.log.warn('recovering turns of a previous process of this replica', { turns: expired });
      // before readiness: the users' retries then find their sessions free (ADR 0020)
      await this.reportInterrupted();
    }
    this.started = true;
    this.timers.push(
      setInterval(() => {
        this.sweepDue = true;
        this.kick();
      }, this.pollMs),
    );
    this.timers.push(setInterval(() => void this.renew(), Math.max(200, Math.floor(this.leaseMs / 3))));
    this.timers.push(setInterval(() => void this.releaseSandboxes(), this.releaseEveryMs));
    for (const timer of this.timers) timer.unref();
    this.kick();
  }

  /** Look for runnable turns soon (coalesced). */
  kick(): void {
    if (!this.started || this.stopping) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    // outside whatever request kicked it: claims and the turns they launch belong to no request's
    // trace (a turn from the queue continues the trace stored with it, turn-runner.ts)
    this.claiming = context.with(ROOT_CONTEXT, () => this.claimLoop()).finally(() => {
      this.claiming = undefined;
    });
  }

  private async claimLoop(): Promise<void> {
    do {
      this.claimAgain = false;
      if (this.stopping) return;
      // reporting needs no free slot: a full replica still reports dead replicas' turns
      if (this.sweepDue) {
        this.sweepDue = false;
        await this.reportInterrupted();
      }
      const free = this.maxConcurrent - this.running.size - this.reserved;
      if (free <= 0) {
        this.capacityLimited = true;
        return;
      }
      let claimed: ClaimedTurn[];
      try {
        claimed = await claimTurns(this.options.leasePool, this.options.owner, Math.min(free, 16), this.leaseMs);
      } catch (error) {
        this.options.metrics.dbErrors.inc({ kind: isDatabaseUnavailable(error) ? 'unavailable' : 'other' });
        this.options.log.debug('claiming turns failed', { error: errorMessage(error) });
        return;
      }
      for (const turn of claimed) this.launch(turn);
      if (claimed.length === Math.min(free, 16)) {
        this.claimAgain = true;
        if (claimed.length === free) this.capacityLimited = true;
      }
    } while (this.claimAgain);
  }

  /**
   * Reports every turn whose owner died after dispatching it (any replica's, lease expired) in
   * bulk statements (store/interrupted-turns.ts), publishes their events and announces what
   * they unblock. A failure only logs: the claim pass reports such turns one by one as well.
   */
  private async reportInterrupted(): Promise<void> {
    const batch = 500;
    const { pool, log, metrics, runner } = this.options;
    try {
      for (;;) {
        const reported = await reportInterruptedTurns(pool, batch);
        for (const turn of reported) {
          // counted as the one-by-one path counts a recovered turn (turn-runner.ts finish)
          metrics.turns.inc({ team: turn.team, harness: turn.harness, outcome: 'interrupted' });
          metrics.turnErrors.inc({ team: turn.team, harness: turn.harness, code: 'interrupted' });
          metrics.events.inc(turn.events.length);
          runner.publish(turn.sessionId, turn.events);
          // a message sent during the outage waits behind this turn: it may run now (this
          // replica's own claim pass follows the sweep; the others are woken)
          if (turn.laterTurn) runner.notifier?.notify(TURNS_CHANNEL, turn.sessionId);
          if (turn.sessionState !== 'active') runner.publish(turn.sessionId, await closeEndedSessionLog(pool, turn.sessionId));
        }
        // a short batch may have skipped turns held by others: go on until a pass reports none
        if (reported.length === 0) return;
        log.info('reported interrupted turns', { turns: reported.length });
      }
    } catch (error) {
      const unavailable = isDatabaseUnavailable(error);
      metrics.dbErrors.inc({ kind: unavailable ? 'unavailable' : 'other' });
      // an outage is logged once elsewhere; the next poll tries again
      log[unavailable ? 'debug' : 'warn']('reporting interrupted turns in bulk failed; they are claimed one by one', { error: errorMessage(error) });
    }
  }

  /**
   * Whether the API may claim a new turn of this session in its enqueue statement, and with
   * which sandbox it may also dispatch it (store/turns.ts FastDispatch): claimed only with a
   * slot free here, dispatched only to a sandbox this process trusts. The slot is held until
   * `release()`, which the API calls once the turn was launched or turned out queued.
   */
  reserveDispatch(sessionId: string): DispatchReservation | undefined {
    if (!this.started || this.stopping) return undefined;
    if (this.running.size + this.reserved >= this.maxConcurrent) {
      this.capacityLimited = true;
      return undefined;
    }
    this.reserved++;
    const sandboxId = this.options.keeper.trustedSandbox(sessionId);
    const claim = { owner: this.options.owner, leaseMs: this.leaseMs, historyMaxChars: this.options.runner.historyMaxChars };
    let released = false;
    return {
      dispatch: sandboxId ? { ...claim, sandboxId, knownHistory: this.conversations.take(sessionId) } : claim,
      release: () => {
        if (released) return;
        released = true;
        this.reserved--;
        // a claim pass that found no free slot because of this reservation looks again
        if (this.capacityLimited && this.running.size + this.reserved < this.maxConcurrent) {
          this.capacityLimited = false;
          this.kick();
        }
      },
    };
  }

  /** Runs a turn the API claimed and dispatched with its message. */
  launchDispatched(claimed: ClaimedTurn, history: HistoryMessage[], startedSeq: number): void {
    this.launch(claimed, { binding: claimed.binding!, history, startedSeq });
  }

  /** Runs a turn the API claimed with its message (its sandbox is checked or acquired first). */
  launchClaimed(claimed: ClaimedTurn): void {
    this.launch(claimed);
  }

  private launch(claimed: ClaimedTurn, preDispatched?: PreDispatched): void {
    if (this.stopping && !preDispatched) {
      void releaseLease(this.options.leasePool, this.options.owner, claimed.sessionId, claimed.turn).catch(() => undefined);
      return;
    }
    this.options.metrics.turnsClaimed.inc({ recovered: String(claimed.previousState === 'running') });
    // a first claim: how long the message waited for a runner (both times from the database clock)
    if (claimed.attempts === 1 && claimed.previousState === 'queued' && claimed.startedAt) this.options.metrics.claimWaitSeconds.observe({ team: claimed.team, harness: claimed.harness }, Math.max(0, claimed.startedAt.getTime() - claimed.createdAt.getTime()) / 1000);
    const stop = new AbortController();
    const deps: TurnRunnerDeps = { ...this.options.runner, pool: this.options.pool, owner: this.options.owner, keeper: this.options.keeper, conversations: this.conversations, metrics: this.options.metrics, log: this.options.log, shutdownSignal: this.shutdown.signal, groupCommit: this.groupCommit, dispatches: this.dispatches };
    const timeout = setTimeout(() => stop.abort(new TurnStop('timeout')), this.options.runner.turnTimeoutMs);
    const done = runClaimedTurn(deps, claimed, stop.signal, preDispatched)
      .then(() => undefined)
      .catch((error: unknown) => {
        this.options.metrics.dbErrors.inc({ kind: isDatabaseUnavailable(error) ? 'unavailable' : 'other' });
        // the lease expires and another pass (here or elsewhere) picks the turn up again
        this.options.log.error('turn failed unexpectedly; it will be recovered', { session: claimed.sessionId, turn: claimed.turn, error: errorMessage(error) });
      })
      .finally(() => {
        clearTimeout(timeout);
        this.running.delete(key(claimed.sessionId, claimed.turn));
        // a later turn of the same session is announced by finishTurn's NOTIFY; a free slot
        // matters only when turns were left waiting for one
        if (this.capacityLimited) {
          this.capacityLimited = false;
          this.kick();
        }
      });
    this.running.set(key(claimed.sessionId, claimed.turn), { sessionId: claimed.sessionId, turn: claimed.turn, stop, done });
  }

  /** A user asked to abort (this replica's API, or a NOTIFY from another's). */
  abortLocal(sessionId: string, turn?: number): boolean {
    let found = false;
    for (const running of this.running.values()) {
      if (running.sessionId === sessionId && (turn === undefined || running.turn === turn)) {
        running.stop.abort(new TurnStop('user_abort'));
        found = true;
      }
    }
    return found;
  }

  private async renew(): Promise<void> {
    if (this.running.size === 0) return;
    const turns = [...this.running.values()].map((r) => ({ sessionId: r.sessionId, turn: r.turn }));
    let held;
    try {
      held = await renewLeases(this.options.leasePool, this.options.owner, turns, this.leaseMs);
    } catch (error) {
      this.options.metrics.dbErrors.inc({ kind: isDatabaseUnavailable(error) ? 'unavailable' : 'other' });
      return;
    }
    const heldKeys = new Map(held.map((h) => [key(h.sessionId, h.turn), h]));
    // a set, not a search of `turns` per running turn: with 1,000 turns in flight that search
    // blocked the event loop for 40 ms on every renewal
    const sent = new Set(turns.map((t) => key(t.sessionId, t.turn)));
    for (const [k, running] of this.running) {
      const status = heldKeys.get(k);
      // only turns that were running when the renewal was sent can be judged by its answer
      if (!sent.has(k)) continue;
      if (!status) running.stop.abort(new TurnStop('lease_lost'));
      else if (status.abortRequested) running.stop.abort(new TurnStop('user_abort'));
    }
  }

  async releaseSandboxes(): Promise<void> {
    try {
      await this.options.keeper.releasePending();
    } catch (error) {
      this.options.log.debug('releasing sandboxes failed; will retry', { error: errorMessage(error) });
    }
  }

  /**
   * Stops claiming; waits up to `drainMs` for running turns, then interrupts the rest and
   * waits for them to be recorded (bounded).
   */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.claiming;
    const all = () => Promise.all([...this.running.values()].map((r) => r.done));
    // deadlines only: a timer left pending must not hold the process after the turns are done
    const deadline = (ms: number) => delay(ms, undefined, { ref: false });
    if (this.running.size > 0) {
      this.options.log.info('waiting for running turns to finish', { turns: this.running.size, ms: drainMs });
      await Promise.race([all(), deadline(drainMs)]);
    }
    if (this.running.size > 0) {
      this.options.log.warn('interrupting turns still running at shutdown', { turns: this.running.size });
      for (const running of this.running.values()) running.stop.abort(new TurnStop('shutdown'));
      await Promise.race([all(), deadline(5_000)]);
    }
    this.shutdown.abort();
    await Promise.race([all(), deadline(1_000)]);
  }
}
