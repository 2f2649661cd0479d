/**
 * Runs one claimed turn end to end: sandbox, history, dispatch, the harness's event stream
 * into the log (durable before anyone sees it), and exactly one `done`. Every way a turn can
 * end is mapped to a recorded outcome:
 *
 * | what happened                                    | turn state  | events appended                          |
 * |--------------------------------------------------|-------------|------------------------------------------|
 * | harness finished                                 | completed   | harness `done`                           |
 * | user abort (or session ended)                    | aborted     | harness `done {aborted}`                 |
 * | harness reported an error                        | failed      | harness `error`, `done {error}`          |
 * | turn timeout                                     | failed      | `error turn_timeout`, `done`             |
 * | sandbox died mid-turn                            | failed      | `error sandbox_lost`, `done {error}`     |
 * | sandbox unavailable / terminal claim error       | failed      | `error <code>`, `done {error}` (+ session failed when terminal) |
 * | replica shut down mid-turn                       | interrupted | `error runtime_shutdown`, `done`         |
 * | previous owner died after dispatch (recovered)   | interrupted | `error interrupted`, `done {error}`      |
 * | lease lost to another replica                    | (theirs)    | nothing: the new owner records it        |
 */
import type { Notifier } from '../db/notifier.ts';
import { HarnessCallError, HarnessClient } from '../../harnesses/protocol/client.ts';
import type { DoneEvent, HarnessEvent, HistoryMessage, TurnRequest } from '../../harnesses/protocol/types.ts';
import type { RuntimeHarnessConfig, RuntimeTeamConfig } from '../../config/runtime-config.ts';
import type { Pool } from '../db/pool.ts';
import { SandboxError } from '../drivers/sandbox-driver.ts';
import { errorMessage, type Logger } from '../log.ts';
import { codeLabel, type RuntimeMetrics } from '../metrics.ts';
import { context, extractContext, failSpan, inSpan, SpanKind, trace, tracer } from '../telemetry/spans.ts';
import type { SessionEvent, StoredEvent } from '../session-events.ts';
import type { StoredBinding } from '../store/bindings.ts';
import { appendEvents, LeaseLostError, streamedText } from '../store/events.ts';
import { finishSession } from '../store/sessions.ts';
import { bindAndDispatch, continueHistory, finishTurn, markDispatched, type BindAndDispatchResult, type ClaimedTurn, type TurnOutcome } from '../store/turns.ts';
import type { ConversationCache } from './conversation-cache.ts';
import { EventWriter, retryWhileUnavailable } from './event-writer.ts';
import type { GroupCommit } from './group-commit.ts';
import type { DispatchGroupCommit } from './dispatch-group-commit.ts';
import { SessionNotActiveError, type PreparedSandbox, type SandboxKeeper, type SandboxTarget } from './sandboxes.ts';

/** Why a running turn is being stopped by the runtime. */
export class TurnStop extends Error {
  constructor(readonly reason: 'user_abort' | 'timeout' | 'shutdown' | 'lease_lost') {
    super(`turn stopped: ${reason}`);
    this.name = 'TurnStop';
  }
}

export interface TurnRunnerDeps {
  readonly pool: Pool;
  readonly owner: string;
  readonly keeper: SandboxKeeper;
  readonly conversations: ConversationCache;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly publish: (sessionId: string, events: readonly StoredEvent[]) => void;
  readonly lookup: (team: string, harness: string) => { team: RuntimeTeamConfig; harness: RuntimeHarnessConfig } | undefined;
  readonly turnTimeoutMs: number;
  readonly maxAttempts: number;
  readonly historyMaxChars: number;
  /** how long the harness gets to end an aborted turn before the runtime hangs up */
  readonly abortGraceMs: number;
  /** aborted when the replica stops: database retries give up, the next owner takes over */
  readonly shutdownSignal: AbortSignal;
  /** announces a session's later turn after a finish commits (without: a NOTIFY in the statement) */
  readonly notifier?: Notifier;
  /** the replica's group commit of streamed events (without: each turn commits its own) */
  readonly groupCommit?: GroupCommit;
  /** the replica's group commit of dispatches; without it each turn commits its own */
  readonly dispatches?: DispatchGroupCommit;
}

export type TurnResult = TurnOutcome['state'] | 'lease_lost' | 'abandoned';

const INTERRUPTED_MESSAGE = 'the runtime replica running this turn stopped (crash or restart) while the agent was working; the output so far is kept. Send the message again to retry.';

/** A turn claimed and dispatched together with its message (store/turns.ts FastDispatch). */
export interface PreDispatched {
  readonly binding: StoredBinding;
  readonly history: HistoryMessage[];
  /** seq of its `turn_started` event */
  readonly startedSeq: number;
}

/**
 * A turn's span: a child of the API request that claimed it with its message, or the root of
 * its own trace when a replica claimed it from the queue. Its phases are child spans
 * (turn.sandbox, sandbox.acquire, turn.dispatch, harness.turn, turn.finish), and the harness's
 * own spans join through the traceparent the protocol client sends.
 */
export async function runClaimedTurn(deps: TurnRunnerDeps, claimed: ClaimedTurn, stop: AbortSignal, preDispatched?: PreDispatched): Promise<TurnResult> {
  const attributes = { 'paddock.session.id': claimed.sessionId, 'paddock.turn': claimed.turn, 'paddock.team': claimed.team, 'paddock.harness': claimed.harness, 'paddock.turn.attempt': claimed.attempts, 'paddock.turn.recovered': claimed.previousState === 'running', 'paddock.turn.fast_dispatch': preDispatched !== undefined };
  const run = () =>
    inSpan('turn', attributes, async (span) => {
      const result = await runTurn(deps, claimed, stop, preDispatched);
      span.setAttribute('paddock.turn.result', result);
      return result;
    });
  // claimed from the queue (no request around it): continue the trace of the request that enqueued it
  if (claimed.traceParent && !trace.getActiveSpan()) return context.with(extractContext({ traceparent: claimed.traceParent }), run);
  return run();
}

async function runTurn(deps: TurnRunnerDeps, claimed: ClaimedTurn, stop: AbortSignal, preDispatched?: PreDispatched): Promise<TurnResult> {
  const { pool, owner, log } = deps;
  const { sessionId, turn } = claimed;
  const labels = { team: claimed.team, harness: claimed.harness };
  const timing: TurnTiming = { startedAt: performance.now(), firstEvent: false };
  const onDbError = (error: unknown) => {
    deps.metrics.dbErrors.inc({ kind: 'unavailable' });
    log.debug('database unavailable, retrying', { session: sessionId, turn, error: errorMessage(error) });
  };
  const publish = (stored: readonly StoredEvent[]) => {
    deps.metrics.events.inc(stored.length);
    deps.publish(sessionId, stored);
  };
  const emit = async (events: readonly SessionEvent[]) => publish(await retryWhileUnavailable(() => appendEvents(pool, sessionId, turn, events, { owner }), onDbError, deps.shutdownSignal));
  const finish = async (finalEvents: readonly SessionEvent[], outcome: TurnOutcome): Promise<TurnResult> => {
    publish(await inSpan('turn.finish', { 'paddock.turn.outcome': outcome.state }, () => retryWhileUnavailable(() => finishTurn(pool, owner, sessionId, turn, finalEvents, outcome, deps.notifier), onDbError, deps.shutdownSignal)));
    deps.metrics.turns.inc({ ...labels, outcome: outcome.state });
    deps.metrics.turnSeconds.observe({ ...labels, outcome: outcome.state }, (performance.now() - timing.startedAt) / 1000);
    if (outcome.error) deps.metrics.turnErrors.inc({ ...labels, code: codeLabel(outcome.error.code) });
    if (outcome.usage) deps.metrics.recordUsage(claimed.team, outcome.usage);
    log.info('turn finished', { session: sessionId, turn, state: outcome.state, ...(outcome.error ? { code: outcome.error.code } : {}) });
    return outcome.state;
  };
  const failWith = (code: string, message: string, retryable: boolean, output = '') =>
    finish([{ type: 'error', code, message, retryable }, { type: 'done', stopReason: 'error' }], { state: 'failed', stopReason: 'error', output, error: { code, message } });

  try {
    if (claimed.previousState === 'running' && claimed.dispatched && !preDispatched) {
      // the previous owner died after the harness got the input: report, never re-run silently
      const output = await retryWhileUnavailable(() => streamedText(pool, sessionId, turn), onDbError, deps.shutdownSignal);
      return await finish(
        [{ type: 'error', code: 'interrupted', message: INTERRUPTED_MESSAGE, retryable: true }, { type: 'done', stopReason: 'error' }],
        { state: 'interrupted', stopReason: 'error', output, error: { code: 'interrupted', message: INTERRUPTED_MESSAGE } },
      );
    }
    if (claimed.abortRequested || claimed.sessionState !== 'active') return await finish([{ type: 'done', stopReason: 'aborted' }], { state: 'aborted', stopReason: 'aborted', output: '' });
    if (claimed.attempts > deps.maxAttempts) return await failWith('too_many_attempts', `this turn was started ${claimed.attempts - 1} times without reaching its harness; giving up`, false);

    const target = deps.lookup(claimed.team, claimed.harness);
    if (!target) {
      const message = `harness "${claimed.harness}" is not configured for team "${claimed.team}" any more`;
      const result = await failWith('harness_not_configured', message, false);
      await finishSession(pool, sessionId, 'failed', { code: 'harness_not_configured', message });
      return result;
    }
    const sandboxTarget: SandboxTarget = { sessionId, team: target.team, harness: target.harness };

    let binding: StoredBinding;
    let history: HistoryMessage[];
    let startedSeq: number;
    if (preDispatched) {
      ({ binding, history, startedSeq } = preDispatched);
      if (stop.aborted) return await stoppedBeforeStream(stop, finish);
    } else {
      let sandbox: PreparedSandbox;
      try {
        sandbox = await inSpan('turn.sandbox', { 'paddock.sandbox.bound': Boolean(claimed.binding) }, () => deps.keeper.prepare(sandboxTarget, emit, stop, claimed.binding ?? null));
      } catch (error) {
        return await sandboxFailure(deps, claimed, error, failWith, finish, stop);
      }
      let dispatched: { abortRequested: boolean; events: StoredEvent[]; history: HistoryMessage[] };
      if (sandbox.bound) {
        const boundTo = (binding = sandbox.bound);
        dispatched = await inSpan('turn.dispatch', { 'paddock.sandbox.new': false }, () => retryWhileUnavailable(
          () => {
            const started: SessionEvent = { type: 'turn_started', attempt: claimed.attempts, sandboxGeneration: boundTo.generation };
            return deps.dispatches ? deps.dispatches.dispatch({ owner, sessionId, turn, started, historyMaxChars: deps.historyMaxChars }) : markDispatched(pool, owner, sessionId, turn, started, deps.historyMaxChars);
          },
          onDbError,
          deps.shutdownSignal,
        ));
      } else {
        // a new sandbox: bound, announced and dispatched to in one commit
        const fresh = sandbox.fresh;
        let bound: BindAndDispatchResult;
        try {
          bound = await inSpan('turn.dispatch', { 'paddock.sandbox.new': true }, () => retryWhileUnavailable(() => bindAndDispatch(pool, owner, sessionId, turn, fresh, claimed.attempts, deps.historyMaxChars), onDbError, deps.shutdownSignal));
        } catch (error) {
          await deps.keeper.abandon(sessionId, fresh, error instanceof LeaseLostError ? 'the turn\'s lease was lost' : errorMessage(error));
          throw error;
        }
        if (!bound.ok) {
          await deps.keeper.abandon(sessionId, fresh, 'the session ended');
          return await finish([{ type: 'done', stopReason: 'aborted' }], { state: 'aborted', stopReason: 'aborted', output: '' });
        }
        binding = bound.binding;
        deps.keeper.adopted(binding, sandbox.claimMs);
        dispatched = bound;
      }
      publish(dispatched.events);
      if (dispatched.abortRequested || stop.aborted) return await stoppedBeforeStream(stop, finish);
      history = dispatched.history;
      startedSeq = dispatched.events.at(-1)!.seq;
    }

    const request: TurnRequest = { sessionId, turn, input: claimed.input, history };
    for (let attempt = 1; ; attempt++) {
      const streamed = await streamTurn(deps, binding, request, startedSeq, stop, onDbError, publish, { labels, timing });
      if (streamed.kind === 'lease_lost') return 'lease_lost';
      if (streamed.kind === 'not_started' && attempt === 1 && !stop.aborted) {
        // the harness never got the request: safe to run it on a fresh sandbox
        await deps.keeper.markLost(sessionId, claimed.team, binding, streamed.reason, emit);
        try {
          binding = await deps.keeper.acquire(sandboxTarget, emit, stop);
        } catch (error) {
          return await sandboxFailure(deps, claimed, error, failWith, finish, stop);
        }
        continue;
      }
      if (streamed.kind === 'not_started') {
        await deps.keeper.markLost(sessionId, claimed.team, binding, streamed.reason, emit);
        return await failWith('sandbox_unavailable', `the sandbox could not take the turn: ${streamed.reason}`, true);
      }
      const result = await concludeStream(deps, claimed, binding, streamed, stop, emit, finish);
      // recorded with this output: the next turn's fast dispatch can hand it over from memory
      if (streamed.done && !streamed.broken) deps.conversations.remember(sessionId, { throughTurn: turn, history: continueHistory(history, { input: claimed.input, output: streamed.output }, deps.historyMaxChars) });
      return result;
    }
  } catch (error) {
    if (error instanceof LeaseLostError) {
      log.warn('lease lost; another replica owns the turn now', { session: sessionId, turn });
      return 'lease_lost';
    }
    if (deps.shutdownSignal.aborted) {
      log.warn('turn abandoned at shutdown; the next owner will report it', { session: sessionId, turn, error: errorMessage(error) });
      return 'abandoned';
    }
    throw error;
  }
}

/** when this replica started the turn, and whether its harness has streamed anything yet */
interface TurnTiming {
  readonly startedAt: number;
  firstEvent: boolean;
}

type Finish = (finalEvents: readonly SessionEvent[], outcome: TurnOutcome) => Promise<TurnResult>;
type FailWith = (code: string, message: string, retryable: boolean, output?: string) => Promise<TurnResult>;

function stopReasonOf(stop: AbortSignal): TurnStop['reason'] | undefined {
  return stop.aborted && stop.reason instanceof TurnStop ? stop.reason.reason : undefined;
}

async function stoppedBeforeStream(stop: AbortSignal, finish: Finish): Promise<TurnResult> {
  const reason = stopReasonOf(stop);
  if (reason === 'shutdown') {
    const message = 'the runtime replica shut down before the turn started; send the message again';
    return finish([{ type: 'error', code: 'runtime_shutdown', message, retryable: true }, { type: 'done', stopReason: 'error' }], { state: 'interrupted', stopReason: 'error', output: '', error: { code: 'runtime_shutdown', message } });
  }
  return finish([{ type: 'done', stopReason: 'aborted' }], { state: 'aborted', stopReason: 'aborted', output: '' });
}

async function sandboxFailure(deps: TurnRunnerDeps, claimed: ClaimedTurn, error: unknown, failWith: FailWith, finish: Finish, stop: AbortSignal): Promise<TurnResult> {
  if (error instanceof SessionNotActiveError) return finish([{ type: 'done', stopReason: 'aborted' }], { state: 'aborted', stopReason: 'aborted', output: '' });
  if (error instanceof LeaseLostError) throw error;
  if (stop.aborted) return stoppedBeforeStream(stop, finish);
  if (error instanceof SandboxError) {
    const result = await failWith(error.code, error.message, !error.terminal);
    if (error.terminal) await finishSession(deps.pool, claimed.sessionId, 'failed', { code: error.code, message: error.message });
    return result;
  }
  throw error;
}

type StreamResult =
  | { readonly kind: 'lease_lost' }
  /** the harness never accepted the request (unreachable, not ours, busy) */
  | { readonly kind: 'not_started'; readonly reason: string }
  | {
      readonly kind: 'streamed';
      readonly done: DoneEvent | undefined;
      readonly output: string;
      readonly lastError: Extract<HarnessEvent, { type: 'error' }> | undefined;
      readonly broken: string | undefined;
      /** events received but not yet written: they go first in the turn's final write */
      readonly rest: readonly SessionEvent[];
    };

async function streamTurn(
  deps: TurnRunnerDeps,
  binding: StoredBinding,
  request: TurnRequest,
  afterSeq: number,
  stop: AbortSignal,
  onDbError: (error: unknown) => void,
  publish: (stored: readonly StoredEvent[]) => void,
  observed: { readonly labels: { readonly team: string; readonly harness: string }; readonly timing: TurnTiming },
): Promise<StreamResult> {
  const client = new HarnessClient(binding.endpoint, binding.token, { timeoutMs: 3_000 });
  const writer = new EventWriter({ pool: deps.pool, sessionId: request.sessionId, turn: request.turn, owner: deps.owner, afterSeq, onStored: publish, onDatabaseError: onDbError, signal: deps.shutdownSignal, groupCommit: deps.groupCommit });
  // the fetch is cancelled only if the harness does not end an aborted turn in time
  const hangUp = new AbortController();
  let hangUpTimer: NodeJS.Timeout | undefined;
  const onStop = () => {
    if (stopReasonOf(stop) !== 'lease_lost') void client.abort({ sessionId: request.sessionId, turn: request.turn }).catch(() => undefined);
    hangUpTimer = setTimeout(() => hangUp.abort(), stopReasonOf(stop) === 'lease_lost' ? 0 : deps.abortGraceMs);
  };
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });

  let output = '';
  let done: DoneEvent | undefined;
  let lastError: Extract<HarnessEvent, { type: 'error' }> | undefined;
  let received = 0;
  let broken: string | undefined;
  // the turn request is sent inside this span: its traceparent makes the harness's spans children
  const span = tracer.startSpan('harness.turn', { kind: SpanKind.CLIENT, attributes: { 'paddock.sandbox.id': binding.sandboxId, 'paddock.sandbox.generation': binding.generation, 'server.address': client.host } });
  const early = await context.with(trace.setSpan(context.active(), span), async (): Promise<StreamResult | undefined> => {
  try {
    for await (const event of client.turn(request, hangUp.signal)) {
      received++;
      if (!observed.timing.firstEvent) {
        observed.timing.firstEvent = true;
        deps.metrics.firstEventSeconds.observe(observed.labels, (performance.now() - observed.timing.startedAt) / 1000);
      }
      if (event.type === 'tool_call') deps.metrics.toolCalls.inc(observed.labels);
      if (event.type === 'done') {
        done = event;
        break;
      }
      if (event.type === 'text_delta') output += event.text;
      if (event.type === 'error') lastError = event;
      writer.push(event);
      // backpressure: a database slower than the agent holds the stream, not memory
      if (writer.backlog >= 2_000) await writer.flush();
    }
  } catch (error) {
    if (error instanceof LeaseLostError) return { kind: 'lease_lost' };
    if (hangUp.signal.aborted) {
      broken = undefined; // we hung up on purpose after the abort grace
    } else if (error instanceof HarnessCallError && received === 0 && ['unreachable', 'unauthorized', 'busy'].includes(error.code)) {
      return { kind: 'not_started', reason: error.code === 'unreachable' ? 'the sandbox does not answer' : error.code === 'unauthorized' ? 'the sandbox rejected this session\'s token' : 'the sandbox is busy with another turn' };
    } else {
      broken = error instanceof HarnessCallError ? error.message : `the harness stream failed: ${errorMessage(error)}`;
    }
  } finally {
    stop.removeEventListener('abort', onStop);
    if (hangUpTimer) clearTimeout(hangUpTimer);
  }
  return undefined;
  });
  span.setAttributes({ 'paddock.harness.events': received, 'paddock.turn.stop_reason': done?.stopReason ?? 'none' });
  if (early?.kind === 'not_started') failSpan(span, new Error(early.reason), 'not_started');
  else if (broken) failSpan(span, new Error(broken), 'stream_broken');
  span.end();
  if (early) return early;
  let rest: SessionEvent[];
  try {
    rest = await writer.takeRest();
  } catch (error) {
    if (error instanceof LeaseLostError) return { kind: 'lease_lost' };
    throw error;
  }
  if (stopReasonOf(stop) === 'lease_lost') return { kind: 'lease_lost' };
  if (done && !broken) {
    deps.keeper.markGood(request.sessionId, binding.sandboxId);
    deps.keeper.keepAlive(binding);
  }
  return { kind: 'streamed', done, output, lastError, broken, rest };
}

async function concludeStream(
  deps: TurnRunnerDeps,
  claimed: ClaimedTurn,
  binding: StoredBinding,
  streamed: Extract<StreamResult, { kind: 'streamed' }>,
  stop: AbortSignal,
  emit: (events: readonly SessionEvent[]) => Promise<void>,
  finishWith: Finish,
): Promise<TurnResult> {
  const { output, lastError } = streamed;
  const reason = stopReasonOf(stop);
  let rest = streamed.rest;
  // what the harness reported the turn consumed is stored with it, however the turn ended
  const usage = streamed.done?.usage;
  const finish: Finish = (finalEvents, outcome) => finishWith([...rest, ...finalEvents], usage && !outcome.usage ? { ...outcome, usage } : outcome);
  if (reason === 'shutdown') {
    const message = 'the runtime replica shut down during this turn; the output so far is kept. Send the message again to continue.';
    return finish([{ type: 'error', code: 'runtime_shutdown', message, retryable: true }, streamed.done ?? { type: 'done', stopReason: 'aborted' }], {
      state: 'interrupted',
      stopReason: streamed.done?.stopReason ?? 'aborted',
      output,
      error: { code: 'runtime_shutdown', message },
    });
  }
  if (reason === 'timeout') {
    const message = `the turn ran longer than the limit of ${Math.round(deps.turnTimeoutMs / 1000)} s and was stopped`;
    return finish([{ type: 'error', code: 'turn_timeout', message, retryable: true }, streamed.done ?? { type: 'done', stopReason: 'aborted' }], {
      state: 'failed',
      stopReason: streamed.done?.stopReason ?? 'aborted',
      output,
      error: { code: 'turn_timeout', message },
    });
  }
  if (reason === 'user_abort') return finish([streamed.done ?? { type: 'done', stopReason: 'aborted' }], { state: 'aborted', stopReason: 'aborted', output });
  if (streamed.done) {
    const done = streamed.done;
    if (done.stopReason === 'end_turn') return finish([done], { state: 'completed', stopReason: 'end_turn', output });
    if (done.stopReason === 'aborted') return finish([done], { state: 'aborted', stopReason: 'aborted', output });
    return finish([done], { state: 'failed', stopReason: 'error', output, error: lastError ? { code: lastError.code, message: lastError.message } : { code: 'harness_error', message: 'the harness ended the turn with an error' } });
  }
  // no done: the sandbox broke mid-turn (crash, pod gone, protocol violation)
  const message = `the sandbox stopped during this turn (${streamed.broken ?? 'stream ended'}); the output so far is kept and the next message gets a new sandbox with the conversation so far`;
  // what the harness sent before it broke comes first, then the sandbox's loss
  await emit(rest);
  rest = [];
  await deps.keeper.markLost(claimed.sessionId, claimed.team, binding, streamed.broken ?? 'stream ended without done', emit);
  return finish([{ type: 'error', code: 'sandbox_lost', message, retryable: true }, { type: 'done', stopReason: 'error' }], { state: 'failed', stopReason: 'error', output, error: { code: 'sandbox_lost', message } });
}
