/**
 * One interface for every way the runtime gets a sandbox: the Kubernetes driver (SandboxClaims
 * against agent-sandbox warm pools) and the local driver (a child process on loopback, for dev
 * mode and tests). The runtime persists a SandboxBinding per session so that a restarted
 * runtime can re-attach, and asks for a new sandbox when the old one is gone.
 */
import type { RuntimeHarnessConfig, RuntimeTeamConfig } from '../../config/runtime-config.ts';

export interface SandboxRequest {
  readonly team: RuntimeTeamConfig;
  readonly harness: RuntimeHarnessConfig;
  readonly sessionId: string;
}

/** What the runtime stores in Postgres to find the sandbox again (no secrets but `token`). */
export interface SandboxBinding {
  readonly driver: 'kubernetes' | 'local';
  /** driver-specific stable id: the SandboxClaim name, or the local sandbox id */
  readonly sandboxId: string;
  /** the Sandbox object's name (a warm sandbox's name is not the claim's) or the pid */
  readonly sandboxName: string;
  readonly namespace: string;
  /** e.g. http://10.244.1.7:8080 */
  readonly endpoint: string;
  /** per-sandbox bearer token (harness protocol v1) */
  readonly token: string;
}

export type SandboxErrorCode =
  /** the team's namespace or the runtime's RoleBinding in it is not there (yet): retryable */
  | 'team_not_ready'
  | 'warm_pool_not_found'
  | 'template_not_found'
  | 'claim_rejected'
  | 'sandbox_expired'
  | 'ready_timeout'
  | 'harness_unavailable'
  | 'driver_error';

export class SandboxError extends Error {
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    /** terminal: retrying with the same config will fail again */
    readonly terminal: boolean,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export interface SandboxDriver {
  readonly name: SandboxBinding['driver'];
  /** Claims a sandbox, waits until it is ready and bound to a fresh token. */
  acquire(request: SandboxRequest, signal?: AbortSignal): Promise<SandboxBinding>;
  /** After a runtime restart or a failed call: is this sandbox still alive and ours? */
  isAlive(binding: SandboxBinding): Promise<boolean>;
  /**
   * isAlive without its harness call: the driver's own word (Kubernetes: the claim still holds
   * this incarnation, Ready, at this pod IP; the local driver: nothing to ask, always true). The
   * keeper asks this before its own protocol call to the sandbox, which proves the rest (the
   * harness answers to the token): one harness round trip instead of two. A driver without it
   * is asked isAlive.
   */
  holdsIncarnation?(binding: SandboxBinding): Promise<boolean>;
  /**
   * The session used this sandbox: a driver with a lifetime backstop pushes its expiry out
   * (the claim's shutdownTime). Cheap when nothing is due; never throws.
   */
  keepAlive?(binding: SandboxBinding): Promise<void>;
  /** Ends the sandbox (deletes the claim / stops the process). Idempotent. */
  release(binding: SandboxBinding): Promise<void>;
  /** Stops watches and child processes owned by the driver. */
  close(): Promise<void>;
  /**
   * Why this driver cannot run a harness at all, known before any sandbox is asked for (e.g.
   * the local driver without the harness's CLI), or undefined. The API answers a new session
   * for such a harness 422 harness_unavailable instead of a session that fails later.
   */
  unavailableReason?(harness: string): string | undefined;
}
