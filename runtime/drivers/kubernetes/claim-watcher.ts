/**
 * Waits for a SandboxClaim to reach a state the caller is looking for, with a watch (never
 * polling). The watch starts at the resourceVersion of the caller's own create/get/list, so
 * no change in between is missed. A dropped stream is re-established from the last
 * resourceVersion seen (events and bookmarks); a 410 Gone (resourceVersion compacted away) is
 * answered with a single re-list, whose resourceVersion the next watch starts from. Bounded by
 * a deadline and the caller's AbortSignal.
 */
import type { SandboxClaim } from './sandbox-claim.ts';
import type { ClaimWatchEvent, SandboxClaimClient, WatchEnd } from './claim-client.ts';
import type { DriverLog } from './driver-log.ts';

export type ClaimObservation = { readonly kind: 'present'; readonly claim: SandboxClaim } | { readonly kind: 'absent' };

export interface WaitForClaimOptions<T> {
  readonly namespace: string;
  readonly name: string;
  /** what the caller last read, at `resourceVersion` */
  readonly initial: ClaimObservation;
  readonly resourceVersion: string;
  /** a result ends the wait; undefined keeps waiting; a throw fails the wait */
  readonly judge: (observation: ClaimObservation) => T | undefined;
  /** epoch ms */
  readonly deadline: number;
  readonly timeoutError: () => Error;
  readonly signal: AbortSignal;
  readonly log: DriverLog;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 3_000;
/** A stream that lived this long was healthy: reconnect at once when it ends. */
const HEALTHY_STREAM_MS = 1_000;

export async function waitForClaim<T>(client: SandboxClaimClient, options: WaitForClaimOptions<T>): Promise<T> {
  const { namespace, name, log } = options;
  const first = options.judge(options.initial);
  if (first !== undefined) return first;

  const timer = new AbortController();
  const timeoutHandle = setTimeout(() => timer.abort(), Math.max(0, options.deadline - Date.now()));
  const signal = AbortSignal.any([options.signal, timer.signal]);
  const stopped = (): Error => (options.signal.aborted ? asError(options.signal.reason) : options.timeoutError());

  let resourceVersion = options.resourceVersion;
  let failures = 0;
  try {
    for (;;) {
      if (signal.aborted) throw stopped();
      let verdict: { value: T } | { error: unknown } | undefined;
      let sawEvent = false;
      const onEvent = (event: ClaimWatchEvent): 'stop' | void => {
        sawEvent = true;
        if (event.type === 'BOOKMARK') {
          resourceVersion = event.resourceVersion;
          return;
        }
        resourceVersion = event.claim.metadata.resourceVersion ?? resourceVersion;
        const observation: ClaimObservation = event.type === 'DELETED' ? { kind: 'absent' } : { kind: 'present', claim: event.claim };
        try {
          const value = options.judge(observation);
          if (value === undefined) return;
          verdict = { value };
        } catch (error) {
          verdict = { error };
        }
        return 'stop';
      };

      const startedAt = Date.now();
      const remainingSeconds = (options.deadline - startedAt) / 1000;
      const end: WatchEnd = await client.watch(namespace, { name, resourceVersion, timeoutSeconds: remainingSeconds }, onEvent, signal);
      const outcome = verdict as { value: T } | { error: unknown } | undefined;
      if (outcome) {
        if ('error' in outcome) throw outcome.error;
        return outcome.value;
      }
      if (end.kind === 'aborted' || signal.aborted) throw stopped();

      if (end.kind === 'gone') {
        log('info', 'claim watch: resourceVersion too old (410 Gone), re-listing', { namespace, claim: name, resourceVersion });
        const relisted = await relist(client, namespace, name, signal, log, stopped);
        resourceVersion = relisted.resourceVersion;
        const value = options.judge(relisted.observation);
        if (value !== undefined) return value;
        failures = 0;
        continue;
      }

      // A stream that worked for a while and then ended or broke (server timeout, apiserver
      // restart, load balancer idle cut) is re-established at once; only streams that fail
      // straight away are retried with a growing pause.
      const healthy = sawEvent || Date.now() - startedAt >= HEALTHY_STREAM_MS;
      if (healthy) {
        failures = 0;
        log('debug', 'claim watch: stream ended, re-watching', { namespace, claim: name, resourceVersion, error: end.kind === 'error' ? end.error.message : undefined });
        continue;
      }
      failures += 1;
      const delay = backoff(failures);
      log('warn', 'claim watch: stream failed, re-watching after a pause', {
        namespace,
        claim: name,
        resourceVersion,
        attempt: failures,
        delayMs: delay,
        error: end.kind === 'error' ? end.error.message : 'closed at once',
      });
      await sleep(delay, signal).catch(() => undefined);
    }
  } finally {
    clearTimeout(timeoutHandle);
  }
}

async function relist(
  client: SandboxClaimClient,
  namespace: string,
  name: string,
  signal: AbortSignal,
  log: DriverLog,
  stopped: () => Error,
): Promise<{ resourceVersion: string; observation: ClaimObservation }> {
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw stopped();
    try {
      const list = await client.list(namespace, { fieldSelector: `metadata.name=${name}` }, signal);
      const claim = list.items.find((item) => item.metadata.name === name);
      return { resourceVersion: list.resourceVersion, observation: claim ? { kind: 'present', claim } : { kind: 'absent' } };
    } catch (error) {
      if (signal.aborted) throw stopped();
      const delay = backoff(attempt);
      log('warn', 'claim watch: re-list failed, retrying', { namespace, claim: name, attempt, delayMs: delay, error: asError(error).message });
      await sleep(delay, signal).catch(() => undefined);
    }
  }
}

function backoff(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(asError(signal.reason));
    const onAbort = (): void => {
      clearTimeout(handle);
      reject(asError(signal.reason));
    };
    const handle = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
