/**
 * What a SandboxClaim's status says, reduced to what the driver acts on: ready (with the
 * Sandbox's name and pod IPs), still pending (a transient reason: keep waiting), or failed
 * with a terminal reason (give up with a clear SandboxError). agent-sandbox forwards the
 * Sandbox's `Ready` condition onto the claim and uses the reasons below for claim failures.
 */
import { SandboxError, type SandboxErrorCode } from '../sandbox-driver.ts';
import type { SandboxClaim } from './sandbox-claim.ts';

export type ClaimState =
  | { readonly kind: 'ready'; readonly sandboxName: string; readonly podIPs: readonly string[] }
  | { readonly kind: 'pending'; readonly reason: string; readonly message: string }
  | { readonly kind: 'failed'; readonly reason: TerminalClaimReason; readonly message: string }
  | { readonly kind: 'terminating' };

interface ReasonMeaning {
  readonly code: SandboxErrorCode;
  /** retrying with the same configuration fails again */
  readonly terminal: boolean;
  readonly explanation: string;
}

/** Reasons after which the claim will not become Ready on its own. */
export const TERMINAL_CLAIM_REASONS = {
  // Not terminal: a team's templates and warm pools are applied with its namespace, and a
  // runtime may learn of a team (or a harness) before that bundle is applied. The next
  // message retries; nothing about the session is lost.
  WarmPoolNotFound: { code: 'warm_pool_not_found', terminal: false, explanation: 'the SandboxWarmPool the claim references does not exist in the team namespace (yet: the team\'s bundle may not be applied); retryable once it is' },
  TemplateNotFound: { code: 'template_not_found', terminal: false, explanation: 'the SandboxTemplate behind the warm pool does not exist (yet: the team\'s bundle may not be applied); retryable once it is' },
  InvalidMetadata: { code: 'claim_rejected', terminal: true, explanation: 'agent-sandbox rejected the claim\'s additional pod metadata' },
  EnvVarsInjectionRejected: { code: 'claim_rejected', terminal: true, explanation: 'the SandboxTemplate does not allow env injection from claims' },
  VolumeClaimTemplatesError: { code: 'claim_rejected', terminal: true, explanation: 'the claim\'s volume claim templates are not allowed by the SandboxTemplate' },
  // An expired claim or sandbox is gone for good, but a new claim would work: not terminal.
  ClaimExpired: { code: 'sandbox_expired', terminal: false, explanation: 'the claim reached its shutdown time' },
  SandboxExpired: { code: 'sandbox_expired', terminal: false, explanation: 'the sandbox expired independently of the claim' },
} as const satisfies Record<string, ReasonMeaning>;

export type TerminalClaimReason = keyof typeof TERMINAL_CLAIM_REASONS;

/** Reasons documented as transient; any reason not listed anywhere is treated as transient too. */
export const TRANSIENT_CLAIM_REASONS: readonly string[] = ['SandboxNotReady', 'SandboxCreatePending', 'ReconcilerError'];

function isTerminalReason(reason: string): reason is TerminalClaimReason {
  return Object.hasOwn(TERMINAL_CLAIM_REASONS, reason);
}

export function readClaimState(claim: SandboxClaim): ClaimState {
  if (claim.metadata.deletionTimestamp) return { kind: 'terminating' };
  const ready = claim.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready) return { kind: 'pending', reason: 'NoReadyCondition', message: 'agent-sandbox has not reported on the claim yet' };
  const reason = ready.reason ?? '';
  const message = ready.message ?? '';
  if (ready.status !== 'True') {
    if (isTerminalReason(reason)) return { kind: 'failed', reason, message };
    return { kind: 'pending', reason: reason || 'NotReady', message };
  }
  const sandboxName = claim.status?.sandbox?.name ?? '';
  const podIPs = (claim.status?.sandbox?.podIPs ?? []).filter((ip) => ip.length > 0);
  if (!sandboxName) return { kind: 'pending', reason: 'NoSandboxName', message: 'Ready, but status.sandbox.name is not set yet' };
  if (podIPs.length === 0) return { kind: 'pending', reason: 'NoPodIP', message: 'Ready, but status.sandbox.podIPs is empty' };
  return { kind: 'ready', sandboxName, podIPs };
}

export interface ClaimContext {
  readonly namespace: string;
  readonly claimName: string;
  readonly team: string;
  readonly harness: string;
  readonly warmPool: string;
}

/** The SandboxError for a claim that failed with a terminal reason. */
export function claimFailureError(reason: TerminalClaimReason, message: string, ctx: ClaimContext): SandboxError {
  const meaning: ReasonMeaning = TERMINAL_CLAIM_REASONS[reason];
  const where = `SandboxClaim "${ctx.claimName}" in namespace "${ctx.namespace}" (team "${ctx.team}", harness "${ctx.harness}", warm pool "${ctx.warmPool}")`;
  const detail = message ? `: ${message}` : '';
  return new SandboxError(meaning.code, `${where} failed with reason ${reason} — ${meaning.explanation}${detail}`, meaning.terminal);
}

/** `http://<ip>:<port>`, bracketing IPv6 addresses. */
export function harnessEndpoint(podIP: string, port: number): string {
  const host = podIP.includes(':') ? `[${podIP}]` : podIP;
  return `http://${host}:${port}`;
}
