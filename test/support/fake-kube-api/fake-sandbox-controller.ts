/**
 * Plays the agent-sandbox controller against the fake API server: for each new SandboxClaim it
 * looks up the warm pool, reports `Ready=False SandboxNotReady` while the "pod" starts, starts a
 * real harness process on the pool's loopback port, and once the harness answers /healthz (the
 * readiness probe) marks the claim Ready with `status.sandbox.name` (`<pool>-xxxxx`, the name
 * of an adopted warm sandbox, or the claim's name for a cold start) and podIPs ["127.0.0.1"].
 * Unknown pools fail with WarmPoolNotFound; a pool can be told to fail with another reason.
 * Hooks: delete a claim's sandbox (optionally replacing it), expire a claim or its sandbox.
 *
 * The pod IP is 127.0.0.1 for every sandbox, so each pool has its own port: a test passes the
 * driver a harness config whose `port` is the pool's port.
 */
import { randomInt } from 'node:crypto';
import type { ClaimCondition, StoredClaim, StoredEvent } from './claim-store.ts';
import type { FakeKubeApiServer } from './fake-kube-api-server.ts';
import { scriptedHarnessLauncher, waitForHealthz, type HarnessLauncher, type HarnessProcess } from './harness-process.ts';

export interface FakeWarmPool {
  readonly namespace: string;
  readonly name: string;
  /**
   * the loopback port this pool's harness listens on; one sandbox runs per pool at a time (a
   * second claim stays SandboxNotReady until the first one's harness has exited)
   */
  readonly port: number;
  /** default: the scripted harness */
  readonly launcher?: HarnessLauncher;
  /** time from the claim to starting its sandbox; default 20 ms */
  readonly readyDelayMs?: number;
  /** claims on this pool fail with this reason instead */
  readonly failWith?: { readonly reason: string; readonly message: string };
  /** mark Ready as soon as the process is spawned, before /healthz answers */
  readonly readyBeforeHarnessListens?: boolean;
  /** a cold start: the Sandbox is named like the claim */
  readonly cold?: boolean;
}

interface SandboxState {
  readonly uid: string;
  name?: string;
  process?: HarnessProcess;
  timer?: NodeJS.Timeout;
  /** ends the provisioning delay early (the sandbox is being stopped) */
  cancelDelay?: () => void;
  /** bumps when the sandbox is replaced; stale async work checks it */
  generation: number;
}

const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const key = (namespace: string, name: string) => `${namespace}/${name}`;
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class FakeSandboxController {
  private readonly pools = new Map<string, FakeWarmPool>();
  private readonly sandboxes = new Map<string, SandboxState>();
  private readonly launched: HarnessProcess[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  /** per port: resolves once the process that held it has exited (a new pod must not race it) */
  private readonly portFree = new Map<number, Promise<void>>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly api: FakeKubeApiServer) {}

  start(): this {
    this.unsubscribe = this.api.store.subscribe((event) => this.onEvent(event));
    return this;
  }

  addWarmPool(pool: FakeWarmPool): void {
    this.pools.set(key(pool.namespace, pool.name), pool);
  }

  /** The running sandbox of a claim: its Sandbox name and harness process. */
  sandboxOf(namespace: string, claim: string): { name: string | undefined; process: HarnessProcess | undefined } | undefined {
    const state = this.sandboxes.get(key(namespace, claim));
    return state ? { name: state.name, process: state.process } : undefined;
  }

  /** Every harness process started so far (for leak checks). */
  get processes(): readonly HarnessProcess[] {
    return this.launched;
  }

  /**
   * The Sandbox (and its pod) is deleted behind the claim's back: the harness dies and the claim
   * reports `Ready=False SandboxMissing`. With `replace`, agent-sandbox then gives the claim a
   * new sandbox (new name, new unbound harness).
   */
  async deleteSandbox(namespace: string, claim: string, options: { replace?: boolean } = {}): Promise<void> {
    const state = this.sandboxes.get(key(namespace, claim));
    if (!state) throw new Error(`fake controller: claim ${namespace}/${claim} has no sandbox`);
    state.generation += 1;
    if (state.timer) clearTimeout(state.timer);
    state.cancelDelay?.();
    await state.process?.kill();
    state.process = undefined;
    state.name = undefined;
    this.api.store.updateStatus(namespace, claim, (status, object) => {
      setReady(status, object, 'False', 'SandboxMissing', 'Sandbox does not exist');
      status.sandbox = {};
    });
    if (options.replace) {
      const current = this.api.store.get(namespace, claim);
      const pool = current ? this.pools.get(key(namespace, current.spec.warmPoolRef.name)) : undefined;
      if (current && pool) this.track(this.provision(current, pool, state));
    }
  }

  /**
   * The claim reaches its shutdown time: `Ready=False ClaimExpired`, the sandbox is deleted,
   * and with shutdownPolicy Delete the claim itself is deleted, as agent-sandbox does.
   */
  async expireClaim(namespace: string, claim: string): Promise<void> {
    await this.stopSandbox(namespace, claim);
    const updated = this.api.store.updateStatus(namespace, claim, (status, object) => {
      setReady(status, object, 'False', 'ClaimExpired', 'Claim expired. Sandbox cleanup initiated.');
      status.sandbox = {};
    });
    const policy = (updated?.spec.lifecycle as { shutdownPolicy?: string } | undefined)?.shutdownPolicy;
    if (policy === 'Delete' || policy === 'DeleteForeground') this.api.deleteClaim(namespace, claim);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const state of this.sandboxes.values()) {
      if (state.timer) clearTimeout(state.timer);
      state.cancelDelay?.();
    }
    // processes first: provisioning may be waiting for a port to be freed
    await Promise.all(this.launched.map((p) => p.stop()));
    await Promise.allSettled([...this.pending]);
    await Promise.all(this.launched.map((p) => p.stop()));
  }

  private onEvent(event: StoredEvent): void {
    if (this.stopped) return;
    const claim = event.object;
    const id = key(claim.metadata.namespace, claim.metadata.name);
    const state = this.sandboxes.get(id);
    if (event.type === 'DELETED' || claim.metadata.deletionTimestamp) {
      if (state && state.uid === claim.metadata.uid) this.track(this.stopSandbox(claim.metadata.namespace, claim.metadata.name));
      return;
    }
    if (event.type !== 'ADDED') return;
    if (state) this.track(this.stopSandbox(claim.metadata.namespace, claim.metadata.name)); // a new incarnation of the name
    const fresh: SandboxState = { uid: claim.metadata.uid, generation: 0 };
    this.sandboxes.set(id, fresh);
    const pool = this.pools.get(key(claim.metadata.namespace, claim.spec.warmPoolRef.name));
    // Reconcile asynchronously, like a controller reacting to its informer.
    fresh.timer = setTimeout(() => {
      fresh.timer = undefined;
      if (!pool) {
        this.setStatus(claim, 'False', 'WarmPoolNotFound', `SandboxWarmPool "${claim.spec.warmPoolRef.name}" not found`);
        return;
      }
      if (pool.failWith) {
        this.setStatus(claim, 'False', pool.failWith.reason, pool.failWith.message);
        return;
      }
      this.setStatus(claim, 'False', 'SandboxNotReady', 'Sandbox is not ready');
      this.track(this.provision(claim, pool, fresh));
    }, 5);
  }

  private async provision(claim: StoredClaim, pool: FakeWarmPool, state: SandboxState): Promise<void> {
    const generation = state.generation;
    const stale = () => this.stopped || state.generation !== generation || this.api.store.get(claim.metadata.namespace, claim.metadata.name)?.metadata.uid !== state.uid;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pool.readyDelayMs ?? 20);
      state.cancelDelay = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    state.cancelDelay = undefined;
    if (stale()) return;
    await this.portFree.get(pool.port);
    if (stale()) return;
    let process: HarnessProcess;
    try {
      process = await (pool.launcher ?? scriptedHarnessLauncher()).start({
        port: pool.port,
        env: { PADDOCK_HARNESS: pool.name, PADDOCK_TEAM: claim.metadata.namespace },
      });
    } catch (error) {
      this.setStatus(claim, 'False', 'ReconcilerError', `Error seen: ${(error as Error).message}`);
      return;
    }
    this.launched.push(process);
    this.portFree.set(pool.port, process.exited);
    if (stale()) {
      await process.stop();
      return;
    }
    state.process = process;
    if (!pool.readyBeforeHarnessListens) {
      try {
        await waitForHealthz(pool.port, { timeoutMs: 20_000, process });
      } catch (error) {
        this.setStatus(claim, 'False', 'ReconcilerError', `Error seen: ${(error as Error).message}`);
        return;
      }
      if (stale()) {
        await process.stop();
        return;
      }
    }
    const sandboxName = pool.cold ? claim.metadata.name : `${pool.name}-${generatedSuffix()}`;
    state.name = sandboxName;
    this.api.store.updateStatus(claim.metadata.namespace, claim.metadata.name, (status, object) => {
      setReady(status, object, 'True', 'DependenciesReady', 'Pod is Ready; Service Exists');
      status.sandbox = { name: sandboxName, podIPs: ['127.0.0.1'] };
    });
  }

  private async stopSandbox(namespace: string, claim: string): Promise<void> {
    const state = this.sandboxes.get(key(namespace, claim));
    if (!state) return;
    state.generation += 1;
    if (state.timer) clearTimeout(state.timer);
    state.cancelDelay?.();
    const process = state.process;
    state.process = undefined;
    state.name = undefined;
    await process?.stop();
  }

  private setStatus(claim: StoredClaim, ready: ClaimCondition['status'], reason: string, message: string): void {
    const current = this.api.store.get(claim.metadata.namespace, claim.metadata.name);
    if (!current || current.metadata.uid !== claim.metadata.uid) return;
    this.api.store.updateStatus(claim.metadata.namespace, claim.metadata.name, (status, object) => setReady(status, object, ready, reason, message));
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch(() => undefined);
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }
}

function setReady(status: NonNullable<StoredClaim['status']>, claim: StoredClaim, ready: ClaimCondition['status'], reason: string, message: string): void {
  const others = (status.conditions ?? []).filter((c) => c.type !== 'Ready');
  const previous = status.conditions?.find((c) => c.type === 'Ready');
  const lastTransitionTime = previous && previous.status === ready ? previous.lastTransitionTime : now();
  status.conditions = [...others, { type: 'Ready', status: ready, reason, message, lastTransitionTime, observedGeneration: claim.metadata.generation }];
}

function generatedSuffix(): string {
  return Array.from({ length: 5 }, () => GENERATE_NAME_ALPHABET[randomInt(GENERATE_NAME_ALPHABET.length)]).join('');
}
