/**
 * The bind-once step of harness protocol v1 for warm pods: a pod of a warm pool starts unbound
 * (it was created before any session existed), and the runtime's first call after claiming it
 * is `POST /v1/bind {token}`. A Ready claim means the pod passed its readiness probe, but the
 * runtime may reach the pod IP a moment later than the kubelet does, so the health endpoint is
 * retried until it answers, within a deadline.
 */
import { HarnessCallError, HarnessClient } from '../../../harnesses/protocol/client.ts';
import { SandboxError } from '../sandbox-driver.ts';
import { asError, sleep } from './claim-watcher.ts';
import type { DriverLog } from './driver-log.ts';

export type BindOutcome =
  | 'bound'
  /** someone bound the harness before us: the sandbox cannot be used with our token */
  | 'already_bound';

export interface BindOptions {
  readonly endpoint: string;
  readonly token: string;
  /** epoch ms */
  readonly deadline: number;
  readonly signal: AbortSignal;
  /** per HTTP request */
  readonly requestTimeoutMs: number;
  readonly log: DriverLog;
  /** for messages: which sandbox this is */
  readonly describe: string;
}

export async function bindHarness(options: BindOptions): Promise<BindOutcome> {
  const { endpoint, describe, log, signal } = options;
  const harness = new HarnessClient(endpoint, undefined, { timeoutMs: options.requestTimeoutMs });
  let lastProblem = 'no answer yet';
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw asError(signal.reason);
    if (Date.now() >= options.deadline) {
      throw new SandboxError('harness_unavailable', `the harness of ${describe} at ${endpoint} could not be bound in time (last problem: ${lastProblem})`, false);
    }
    try {
      const health = await harness.health(signal);
      if (health.bound) return 'already_bound';
      await harness.bind(options.token, signal);
      log('info', 'harness bound', { endpoint, attempts: attempt });
      return 'bound';
    } catch (error) {
      if (signal.aborted) throw asError(signal.reason);
      if (!(error instanceof HarnessCallError)) {
        lastProblem = asError(error).message;
      } else if (error.code === 'already_bound') {
        return 'already_bound';
      } else if (error.code === 'protocol_error') {
        throw new SandboxError('harness_unavailable', `the harness of ${describe} at ${endpoint} does not speak harness protocol v1: ${error.message}`, true);
      } else if (error.status === 400) {
        throw new SandboxError('harness_unavailable', `the harness of ${describe} at ${endpoint} rejected the bind request: ${error.message}`, true);
      } else {
        lastProblem = error.message;
      }
    }
    const pause = Math.min(1_000, 50 * 2 ** Math.min(attempt, 5));
    await sleep(Math.min(pause, Math.max(0, options.deadline - Date.now())), signal);
  }
}

/**
 * GET /v1/status with the sandbox's token: a 200 proves the harness is alive and still bound
 * to this token (a restarted or replaced harness answers 401). False when it does not.
 */
export async function harnessAnswersAsOurs(endpoint: string, token: string, timeoutMs: number): Promise<boolean> {
  try {
    await new HarnessClient(endpoint, token, { timeoutMs }).status();
    return true;
  } catch {
    return false;
  }
}
