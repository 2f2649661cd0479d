/**
 * The Kubernetes sandbox driver: one SandboxClaim per session against the harness's warm pool
 * in the team namespace (kubernetes-sigs/agent-sandbox), Ready awaited with a watch, the
 * harness reached at the claimed pod's IP and bound to a fresh per-sandbox token
 * (harness protocol v1, bind-once). Decisions: docs/adr/0008-kubernetes-sandbox-driver.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { MANAGED_BY_LABELS, HARNESS_LABEL, TEAM_LABEL } from '../../../config/names.ts';
import { SandboxError, type SandboxBinding, type SandboxDriver, type SandboxRequest } from '../sandbox-driver.ts';
import { claimIdentityForSession, type ClaimIdentity } from './claim-name.ts';
import { KubeApiError, SandboxClaimClient } from './claim-client.ts';
import { claimFailureError, harnessEndpoint, readClaimState, type ClaimContext } from './claim-state.ts';
import { asError, waitForClaim } from './claim-watcher.ts';
import { stderrJsonLog, type DriverLog } from './driver-log.ts';
import { bindHarness, harnessAnswersAsOurs } from './harness-binder.ts';
import { inClusterKubeConfig } from './kube-config.ts';
import { buildSandboxClaim, rfc3339Seconds, SESSION_LABEL, TOKEN_HASH_ANNOTATION, type SandboxClaim } from './sandbox-claim.ts';

export interface ClaimLatencyInfo {
  readonly team: string;
  readonly harness: string;
  readonly namespace: string;
  /** the Sandbox was adopted from the warm pool (its name is not the claim's) */
  readonly warm: boolean;
  /** an existing claim of the session was adopted (retry after a crash) */
  readonly adopted: boolean;
}

export interface KubernetesSandboxDriverOptions {
  /** default: the pod's service account (in-cluster) */
  readonly kubeConfig?: KubeConfig;
  /** from the start of acquire() until the claim is Ready; default 180 s (cold starts pull images) */
  readonly readyTimeoutMs?: number;
  /** from Ready until the harness is bound; default 30 s */
  readonly bindTimeoutMs?: number;
  /** per Kubernetes API request (not per watch stream); default 30 s */
  readonly apiRequestTimeoutMs?: number;
  /** per request to a harness (/healthz, /v1/bind); default 2 s */
  readonly harnessRequestTimeoutMs?: number;
  /**
   * sets the claim's lifecycle.shutdownTime this far ahead, and keepAlive() pushes it out again
   * while the session uses the sandbox: a backstop against claims the runtime lost track of
   */
  readonly sandboxLifetimeSeconds?: number;
  /** time from acquire() to the claim's Ready, for the runtime's claim-latency metric */
  readonly onClaimLatency?: (ms: number, info: ClaimLatencyInfo) => void;
  /** structured log sink; default JSON lines on stderr; never receives a token */
  readonly log?: DriverLog;
}

/** create-or-adopt rounds (a stale claim is deleted and created again) */
const MAX_CLAIM_ATTEMPTS = 5;
/** claims replaced because their harness was already bound */
const MAX_SANDBOX_ROUNDS = 2;
const CLEANUP_TIMEOUT_MS = 10_000;

export class KubernetesSandboxDriver implements SandboxDriver {
  readonly name = 'kubernetes' as const;
  private readonly client: SandboxClaimClient;
  private readonly readyTimeoutMs: number;
  private readonly bindTimeoutMs: number;
  private readonly harnessRequestTimeoutMs: number;
  private readonly sandboxLifetimeSeconds: number | undefined;
  private readonly onClaimLatency: KubernetesSandboxDriverOptions['onClaimLatency'];
  private readonly log: DriverLog;
  private readonly closing = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** "<namespace>/<claim>" -> when this process last set (or found far enough out) its shutdownTime */
  private readonly renewedAt = new Map<string, number>();

  constructor(options: KubernetesSandboxDriverOptions = {}) {
    const kubeConfig = options.kubeConfig ?? inClusterKubeConfig();
    this.client = new SandboxClaimClient(kubeConfig, { requestTimeoutMs: options.apiRequestTimeoutMs ?? 30_000 });
    this.readyTimeoutMs = positive(options.readyTimeoutMs ?? 180_000, 'readyTimeoutMs');
    this.bindTimeoutMs = positive(options.bindTimeoutMs ?? 30_000, 'bindTimeoutMs');
    this.harnessRequestTimeoutMs = positive(options.harnessRequestTimeoutMs ?? 2_000, 'harnessRequestTimeoutMs');
    this.sandboxLifetimeSeconds = options.sandboxLifetimeSeconds === undefined ? undefined : positive(options.sandboxLifetimeSeconds, 'sandboxLifetimeSeconds');
    this.onClaimLatency = options.onClaimLatency;
    this.log = options.log ?? stderrJsonLog;
  }

  acquire(request: SandboxRequest, signal?: AbortSignal): Promise<SandboxBinding> {
    if (this.closing.signal.aborted) {
      return Promise.reject(new SandboxError('driver_error', 'the kubernetes sandbox driver is closed', false));
    }
    const combined = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    const task = this.acquireClaim(request, combined);
    this.inFlight.add(task);
    void task.then(
      () => this.inFlight.delete(task),
      () => this.inFlight.delete(task),
    );
    return task;
  }

  async isAlive(binding: SandboxBinding): Promise<boolean> {
    if (!(await this.holdsIncarnation(binding))) return false;
    return harnessAnswersAsOurs(binding.endpoint, binding.token, this.harnessRequestTimeoutMs);
  }

  /** The claim still holds this binding's incarnation, Ready, at its pod IP: isAlive without the harness call. */
  async holdsIncarnation(binding: SandboxBinding): Promise<boolean> {
    if (binding.driver !== 'kubernetes') return false;
    const claim = await this.client.get(binding.namespace, binding.sandboxId).catch((error: unknown) => {
      throw apiFailure(error, `checking the sandbox of SandboxClaim "${binding.sandboxId}"`);
    });
    if (!claim || !isOurIncarnation(claim, binding.token)) return false;
    const state = readClaimState(claim);
    if (state.kind !== 'ready' || state.sandboxName !== binding.sandboxName) return false;
    return state.podIPs.some((ip) => harnessEndpoint(ip, portOf(binding.endpoint)) === binding.endpoint);
  }

  /**
   * Pushes the claim's shutdownTime to a full lifetime from now once less than three quarters
   * of it is left, at most once per quarter lifetime per claim (one GET, and a PUT when due). A
   * claim that is gone, being deleted or holds a newer sandbox of the session is left alone; a
   * conflict waits for the next use. Logs failures, never throws.
   */
  async keepAlive(binding: SandboxBinding): Promise<void> {
    if (binding.driver !== 'kubernetes' || this.sandboxLifetimeSeconds === undefined || this.closing.signal.aborted) return;
    const lifetimeMs = this.sandboxLifetimeSeconds * 1000;
    const { namespace, sandboxId: name } = binding;
    const key = `${namespace}/${name}`;
    const now = Date.now();
    const last = this.renewedAt.get(key);
    if (last !== undefined && now - last < lifetimeMs / 4) return;
    try {
      const claim = await this.client.get(namespace, name, this.closing.signal);
      if (!claim || claim.metadata.deletionTimestamp || !isOurIncarnation(claim, binding.token)) {
        this.renewedAt.delete(key);
        return;
      }
      const shutdownAt = Date.parse(claim.spec.lifecycle?.shutdownTime ?? '');
      if (Number.isFinite(shutdownAt) && shutdownAt - now > (lifetimeMs * 3) / 4) {
        this.remember(key, shutdownAt - lifetimeMs);
        return;
      }
      const shutdownTime = rfc3339Seconds(new Date(now + lifetimeMs));
      const lifecycle = { ...claim.spec.lifecycle, shutdownPolicy: claim.spec.lifecycle?.shutdownPolicy ?? 'Delete', shutdownTime };
      await this.client.replace(namespace, { ...claim, spec: { ...claim.spec, lifecycle } }, this.closing.signal);
      this.remember(key, now);
      this.log('info', 'sandbox claim lifetime renewed', { namespace, claim: name, shutdownTime });
    } catch (error) {
      if (this.closing.signal.aborted || (error instanceof KubeApiError && error.status === 409)) return;
      this.log('warn', 'could not renew the sandbox claim\'s shutdownTime; the next turn tries again', { namespace, claim: name, error: asError(error).message });
    }
  }

  private remember(key: string, at: number): void {
    this.renewedAt.delete(key);
    this.renewedAt.set(key, at);
    if (this.renewedAt.size > 10_000) this.renewedAt.delete(this.renewedAt.keys().next().value!);
  }

  async release(binding: SandboxBinding): Promise<void> {
    if (binding.driver !== 'kubernetes') {
      throw new SandboxError('driver_error', `the kubernetes driver cannot release a "${binding.driver}" sandbox`, true);
    }
    const { namespace, sandboxId: name } = binding;
    this.renewedAt.delete(`${namespace}/${name}`);
    try {
      const claim = await this.client.get(namespace, name);
      if (!claim) return;
      if (!isOurIncarnation(claim, binding.token)) {
        // Same session, newer sandbox: the name is per session, the token per sandbox.
        this.log('info', 'release: the claim now holds a newer sandbox of the session; left alone', { namespace, claim: name, sandbox: binding.sandboxName });
        return;
      }
      const result = await this.client.delete(namespace, name, claim.metadata.uid ? { uid: claim.metadata.uid } : {});
      this.log('info', 'sandbox released', { namespace, claim: name, sandbox: binding.sandboxName, result });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 409) return; // replaced in between: not ours
      throw apiFailure(error, `releasing SandboxClaim "${name}" in namespace "${namespace}"`);
    }
  }

  async close(): Promise<void> {
    this.closing.abort(new SandboxError('driver_error', 'the kubernetes sandbox driver was closed', false));
    await Promise.allSettled([...this.inFlight]);
  }

  private async acquireClaim(request: SandboxRequest, signal: AbortSignal): Promise<SandboxBinding> {
    const { team, harness } = request;
    const namespace = team.namespace;
    const identity = claimIdentityForSession(request.sessionId);
    const ctx: ClaimContext = { namespace, claimName: identity.name, team: team.name, harness: harness.name, warmPool: harness.warmPool };
    const startedAt = performance.now();
    const deadline = Date.now() + this.readyTimeoutMs;

    for (let round = 1; ; round++) {
      const token = randomBytes(32).toString('base64url');
      const { claim, adopted } = await this.createOrAdopt(request, identity, sha256(token), deadline, signal);
      let outcome: { binding: SandboxBinding } | 'already_bound';
      try {
        const ready = await this.waitReady(claim, ctx, deadline, signal);
        const warm = ready.sandboxName !== identity.name;
        const latencyMs = performance.now() - startedAt;
        this.reportLatency(latencyMs, { team: team.name, harness: harness.name, namespace, warm, adopted });
        const endpoint = harnessEndpoint(ready.podIP, harness.port);
        this.log('info', 'sandbox claim ready', { namespace, claim: identity.name, sandbox: ready.sandboxName, endpoint, warm, adopted, latencyMs: Math.round(latencyMs) });
        const bound = await bindHarness({
          endpoint,
          token,
          deadline: Date.now() + this.bindTimeoutMs,
          signal,
          requestTimeoutMs: this.harnessRequestTimeoutMs,
          log: this.log,
          describe: `sandbox "${ready.sandboxName}" (claim "${identity.name}" in namespace "${namespace}")`,
        });
        outcome =
          bound === 'bound'
            ? { binding: { driver: 'kubernetes', sandboxId: identity.name, sandboxName: ready.sandboxName, namespace, endpoint, token } }
            : 'already_bound';
      } catch (error) {
        await this.discard(namespace, claim, 'acquire failed');
        throw error;
      }
      if (outcome !== 'already_bound') return outcome.binding;

      // The harness holds a token we do not know (an earlier acquire bound it, then crashed
      // before its binding was recorded): the sandbox is unusable. Replace the claim.
      this.log('warn', 'claimed sandbox was already bound; replacing the claim', { namespace, claim: identity.name, adopted, round });
      await this.discard(namespace, claim, 'harness already bound');
      if (!adopted || round >= MAX_SANDBOX_ROUNDS) {
        throw new SandboxError(
          'harness_unavailable',
          `the harness of SandboxClaim "${identity.name}" in namespace "${namespace}" was already bound by another party; the claim was deleted`,
          false,
        );
      }
    }
  }

  /** Creates the session's claim, or takes over the one a crashed earlier attempt left. */
  private async createOrAdopt(
    request: SandboxRequest,
    identity: ClaimIdentity,
    tokenSha256: string,
    deadline: number,
    signal: AbortSignal,
  ): Promise<{ claim: SandboxClaim; adopted: boolean }> {
    const { team, harness } = request;
    const namespace = team.namespace;
    const where = `SandboxClaim "${identity.name}" in namespace "${namespace}"`;
    const body = buildSandboxClaim({
      name: identity.name,
      namespace,
      warmPool: harness.warmPool,
      team: team.name,
      harness: harness.name,
      sessionId: request.sessionId,
      sessionKey: identity.sessionKey,
      tokenSha256,
      ...(this.sandboxLifetimeSeconds ? { shutdownTime: new Date(Date.now() + this.sandboxLifetimeSeconds * 1000) } : {}),
    });

    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      try {
        const created = await this.client.create(namespace, body, signal);
        if (this.sandboxLifetimeSeconds) this.remember(`${namespace}/${identity.name}`, Date.now());
        this.log('info', 'sandbox claim created', { namespace, claim: identity.name, warmPool: harness.warmPool, team: team.name, harness: harness.name });
        return { claim: created, adopted: false };
      } catch (error) {
        if (!(error instanceof KubeApiError && error.status === 409)) throw apiFailure(error, `creating ${where}`, signal);
      }
      const existing = await this.client.get(namespace, identity.name, signal).catch((error: unknown) => {
        throw apiFailure(error, `reading ${where}`, signal);
      });
      if (!existing) continue; // deleted in between: create again

      const verdict = this.judgeExisting(existing, request, identity);
      if (verdict.kind === 'foreign') throw new SandboxError('driver_error', `${where} already exists and ${verdict.why}; refusing to touch it`, true);
      if (verdict.kind === 'replace') {
        this.log('info', 'existing sandbox claim cannot be adopted; replacing it', { namespace, claim: identity.name, why: verdict.why });
        await this.client.delete(namespace, identity.name, existing.metadata.uid ? { uid: existing.metadata.uid } : {}, signal).catch((error: unknown) => {
          if (error instanceof KubeApiError && error.status === 409) return; // already replaced
          throw apiFailure(error, `deleting ${where}`, signal);
        });
      }
      if (verdict.kind === 'replace' || verdict.kind === 'terminating') {
        await this.waitGone(existing, where, deadline, signal);
        continue;
      }
      try {
        const annotations = { ...existing.metadata.annotations, [TOKEN_HASH_ANNOTATION]: tokenSha256 };
        const updated = await this.client.replace(namespace, { ...existing, metadata: { ...existing.metadata, annotations } }, signal);
        this.log('info', 'adopting the existing sandbox claim of the session', { namespace, claim: identity.name });
        return { claim: updated, adopted: true };
      } catch (error) {
        if (error instanceof KubeApiError && (error.status === 409 || error.status === 404)) continue; // changed under us: look again
        throw apiFailure(error, `updating ${where}`, signal);
      }
    }
    throw new SandboxError('driver_error', `${where} kept changing while the runtime tried to create or adopt it (${MAX_CLAIM_ATTEMPTS} attempts)`, false);
  }

  private judgeExisting(
    claim: SandboxClaim,
    request: SandboxRequest,
    identity: ClaimIdentity,
  ): { kind: 'adopt' } | { kind: 'terminating' } | { kind: 'replace'; why: string } | { kind: 'foreign'; why: string } {
    const labels = claim.metadata.labels ?? {};
    if (labels['app.kubernetes.io/managed-by'] !== MANAGED_BY_LABELS['app.kubernetes.io/managed-by']) return { kind: 'foreign', why: 'was not created by paddock' };
    if (labels[SESSION_LABEL] !== identity.sessionKey) return { kind: 'foreign', why: `belongs to another session (${SESSION_LABEL}=${labels[SESSION_LABEL] ?? '<none>'})` };
    if (claim.metadata.deletionTimestamp) return { kind: 'terminating' };
    if (labels[TEAM_LABEL] !== request.team.name || labels[HARNESS_LABEL] !== request.harness.name || claim.spec.warmPoolRef.name !== request.harness.warmPool) {
      return { kind: 'replace', why: 'it was made for another team, harness or warm pool' };
    }
    const state = readClaimState(claim);
    if (state.kind === 'failed') return { kind: 'replace', why: `it failed earlier with reason ${state.reason}` };
    return { kind: 'adopt' };
  }

  private async waitReady(
    claim: SandboxClaim,
    ctx: ClaimContext,
    deadline: number,
    signal: AbortSignal,
  ): Promise<{ sandboxName: string; podIP: string }> {
    const where = `SandboxClaim "${ctx.claimName}" in namespace "${ctx.namespace}"`;
    const uid = claim.metadata.uid;
    let last = { reason: 'Created', message: '' };
    return waitForClaim(this.client, {
      namespace: ctx.namespace,
      name: ctx.claimName,
      initial: { kind: 'present', claim },
      resourceVersion: claim.metadata.resourceVersion ?? '',
      signal,
      deadline,
      log: this.log,
      timeoutError: () =>
        new SandboxError(
          'ready_timeout',
          `${where} did not become Ready within ${Math.round(this.readyTimeoutMs / 1000)} s (last reason ${last.reason}${last.message ? `: ${last.message}` : ''})`,
          false,
        ),
      judge: (observation) => {
        if (observation.kind === 'absent' || (uid !== undefined && observation.claim.metadata.uid !== uid)) {
          throw new SandboxError('sandbox_expired', `${where} was deleted while waiting for it to become Ready (it expired, or something else deleted it)`, false);
        }
        const state = readClaimState(observation.claim);
        switch (state.kind) {
          case 'ready': {
            const podIP = state.podIPs[0] as string;
            return { sandboxName: state.sandboxName, podIP };
          }
          case 'failed':
            throw claimFailureError(state.reason, state.message, ctx);
          case 'terminating':
            throw new SandboxError('sandbox_expired', `${where} is being deleted while waiting for it to become Ready`, false);
          case 'pending':
            if (state.reason !== last.reason) this.log('debug', 'sandbox claim pending', { namespace: ctx.namespace, claim: ctx.claimName, reason: state.reason, message: state.message });
            last = { reason: state.reason, message: state.message };
            return undefined;
        }
      },
    });
  }

  private waitGone(claim: SandboxClaim, where: string, deadline: number, signal: AbortSignal): Promise<true> {
    const uid = claim.metadata.uid;
    return waitForClaim(this.client, {
      namespace: claim.metadata.namespace ?? '',
      name: claim.metadata.name,
      initial: { kind: 'present', claim },
      resourceVersion: claim.metadata.resourceVersion ?? '',
      signal,
      deadline,
      log: this.log,
      timeoutError: () => new SandboxError('ready_timeout', `${where} was still being deleted when the time to acquire a sandbox ran out`, false),
      judge: (observation) => (observation.kind === 'absent' || observation.claim.metadata.uid !== uid ? true : undefined),
    });
  }

  /** Best-effort delete of a claim this acquire made or adopted, even after an abort. */
  private async discard(namespace: string, claim: SandboxClaim, why: string): Promise<void> {
    const name = claim.metadata.name;
    try {
      const uid = claim.metadata.uid;
      const result = await this.client.delete(namespace, name, uid ? { uid } : {}, AbortSignal.timeout(CLEANUP_TIMEOUT_MS));
      this.log('info', 'sandbox claim deleted', { namespace, claim: name, why, result });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 409) return; // a newer incarnation: not ours
      this.log('error', 'could not delete a sandbox claim; agent-sandbox keeps it until it is deleted', { namespace, claim: name, why, error: asError(error).message });
    }
  }

  private reportLatency(ms: number, info: ClaimLatencyInfo): void {
    if (!this.onClaimLatency) return;
    try {
      this.onClaimLatency(ms, info);
    } catch (error) {
      this.log('warn', 'onClaimLatency callback failed', { error: asError(error).message });
    }
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function isOurIncarnation(claim: SandboxClaim, token: string): boolean {
  return claim.metadata.annotations?.[TOKEN_HASH_ANNOTATION] === sha256(token);
}

function portOf(endpoint: string): number {
  const url = new URL(endpoint);
  return Number(url.port || 80);
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`KubernetesSandboxDriver option ${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * A Kubernetes API failure as a SandboxError. Aborts pass through unchanged.
 * - 403 Forbidden and 404 for the namespace: the team's bundle (namespace, the RoleBinding of
 *   the runtime, templates) is not applied (yet); `team_not_ready`, retryable, saying so.
 * - 404 for the resource type (the SandboxClaim CRD is missing), 400 and 422: terminal.
 */
function apiFailure(error: unknown, action: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return asError(signal.reason);
  if (error instanceof SandboxError) return error;
  if (error instanceof KubeApiError) {
    if (error.status === 403) {
      return new SandboxError(
        'team_not_ready',
        `${action}: ${error.message} — the runtime's service account has no RoleBinding there: the team's bundle (namespace, RBAC, templates) is not applied yet, or its RoleBinding was removed; retryable once it is applied`,
        false,
      );
    }
    if (error.status === 404 && error.detailsKind === 'namespaces') {
      return new SandboxError('team_not_ready', `${action}: ${error.message} — the team's namespace does not exist yet (its bundle is not applied); retryable once it is`, false);
    }
    const hint = error.status === 404 ? ' (the SandboxClaim CRD is not installed)' : '';
    const terminal = error.status === 400 || error.status === 404 || error.status === 422;
    return new SandboxError('driver_error', `${action}: ${error.message}${hint}`, terminal);
  }
  return new SandboxError('driver_error', `${action}: ${asError(error).message}`, false);
}
