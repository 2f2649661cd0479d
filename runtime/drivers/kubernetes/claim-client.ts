/**
 * The Kubernetes API calls the driver makes on SandboxClaims, through @kubernetes/client-node
 * (CustomObjectsApi for create/get/list/replace/delete, Watch for the watch stream). It turns
 * the client's errors into KubeApiError (HTTP status + Status reason), answers are validated
 * as SandboxClaims, and every call honours an AbortSignal and a per-request timeout.
 */
import { ApiException, CustomObjectsApi, Observable, Watch, type ConfigurationOptions, type KubeConfig, type ObservableMiddleware } from '@kubernetes/client-node';
import { parseSandboxClaim, SANDBOX_CLAIM_GROUP, SANDBOX_CLAIM_PLURAL, SANDBOX_CLAIM_VERSION, type SandboxClaim } from './sandbox-claim.ts';

/** An answer of the API server other than success (status 0: no answer at all). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    /** the Status object's reason, e.g. AlreadyExists, NotFound, Conflict, Expired */
    readonly reason: string,
    message: string,
    /** the Status object's details.kind: what was not found, e.g. "namespaces" or "sandboxclaims" */
    readonly detailsKind?: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export type ClaimWatchEvent =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly claim: SandboxClaim }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string };

export type WatchEnd =
  /** the server ended the stream (timeout, restart, dropped connection) */
  | { readonly kind: 'closed' }
  /** 410 Gone: the resourceVersion is too old; re-list before watching again */
  | { readonly kind: 'gone'; readonly message: string }
  | { readonly kind: 'error'; readonly error: Error }
  /** the caller's handler asked to stop */
  | { readonly kind: 'stopped' }
  | { readonly kind: 'aborted' };

export interface ClaimList {
  readonly items: readonly SandboxClaim[];
  readonly resourceVersion: string;
}

export interface ClaimClientOptions {
  /** per request (not per watch stream); default 30 s */
  readonly requestTimeoutMs?: number;
}

const statusObjectShape = (value: unknown): { code?: number; reason?: string; message?: string; detailsKind?: string } => {
  if (typeof value === 'string') {
    try {
      return statusObjectShape(JSON.parse(value));
    } catch {
      return { message: value.slice(0, 500) };
    }
  }
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const details = v.details && typeof v.details === 'object' ? (v.details as Record<string, unknown>) : {};
    return {
      ...(typeof details.kind === 'string' ? { detailsKind: details.kind } : {}),
      ...(typeof v.code === 'number' ? { code: v.code } : {}),
      ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
      ...(typeof v.message === 'string' ? { message: v.message } : {}),
    };
  }
  return {};
};

export class SandboxClaimClient {
  private readonly api: CustomObjectsApi;
  private readonly watcher: Watch;
  private readonly requestTimeoutMs: number;

  constructor(kubeConfig: KubeConfig, options: ClaimClientOptions = {}) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
    this.watcher = new Watch(kubeConfig);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  collectionPath(namespace: string): string {
    return `/apis/${SANDBOX_CLAIM_GROUP}/${SANDBOX_CLAIM_VERSION}/namespaces/${encodeURIComponent(namespace)}/${SANDBOX_CLAIM_PLURAL}`;
  }

  async create(namespace: string, claim: SandboxClaim, signal?: AbortSignal): Promise<SandboxClaim> {
    const where = `creating SandboxClaim "${claim.metadata.name}" in namespace "${namespace}"`;
    const body = await this.call(where, signal, (options) =>
      this.api.createNamespacedCustomObject({ ...this.target(namespace), body: claim }, options),
    );
    return parseSandboxClaim(body, where);
  }

  /** The claim, or undefined when it does not exist. */
  async get(namespace: string, name: string, signal?: AbortSignal): Promise<SandboxClaim | undefined> {
    const where = `reading SandboxClaim "${name}" in namespace "${namespace}"`;
    try {
      const body = await this.call(where, signal, (options) => this.api.getNamespacedCustomObject({ ...this.target(namespace), name }, options));
      return parseSandboxClaim(body, where);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async list(namespace: string, selectors: { fieldSelector?: string; labelSelector?: string }, signal?: AbortSignal): Promise<ClaimList> {
    const where = `listing SandboxClaims in namespace "${namespace}"`;
    const body: unknown = await this.call(where, signal, (options) =>
      this.api.listNamespacedCustomObject({ ...this.target(namespace), ...selectors }, options),
    );
    const list = (body ?? {}) as { metadata?: { resourceVersion?: unknown }; items?: unknown };
    const resourceVersion = list.metadata?.resourceVersion;
    if (typeof resourceVersion !== 'string' || !Array.isArray(list.items)) {
      throw new Error(`${where}: the API server answered without metadata.resourceVersion or items`);
    }
    return { resourceVersion, items: list.items.map((item: unknown) => parseSandboxClaim(item, where)) };
  }

  /** PUT: optimistic concurrency through metadata.resourceVersion (409 Conflict when stale). */
  async replace(namespace: string, claim: SandboxClaim, signal?: AbortSignal): Promise<SandboxClaim> {
    const name = claim.metadata.name;
    const where = `updating SandboxClaim "${name}" in namespace "${namespace}"`;
    const body = await this.call(where, signal, (options) =>
      this.api.replaceNamespacedCustomObject({ ...this.target(namespace), name, body: claim }, options),
    );
    return parseSandboxClaim(body, where);
  }

  /**
   * Deletes the claim (background propagation: agent-sandbox's owner references remove the
   * Sandbox, Pod and PVCs). With `uid`, only that incarnation is deleted (409 otherwise).
   */
  async delete(namespace: string, name: string, preconditions: { uid?: string }, signal?: AbortSignal): Promise<'deleted' | 'not_found'> {
    const where = `deleting SandboxClaim "${name}" in namespace "${namespace}"`;
    try {
      await this.call(where, signal, (options) =>
        this.api.deleteNamespacedCustomObject(
          {
            ...this.target(namespace),
            name,
            propagationPolicy: 'Background',
            body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(preconditions.uid ? { preconditions: { uid: preconditions.uid } } : {}) },
          },
          options,
        ),
      );
      return 'deleted';
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return 'not_found';
      throw error;
    }
  }

  /**
   * One watch stream on a single claim (fieldSelector metadata.name), from `resourceVersion`.
   * Resolves when the stream ends, saying why; the caller decides whether to re-watch or re-list.
   * `onEvent` returning 'stop' ends the stream.
   */
  watch(
    namespace: string,
    options: { name: string; resourceVersion: string; timeoutSeconds: number },
    onEvent: (event: ClaimWatchEvent) => 'stop' | void,
    signal: AbortSignal,
  ): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      let settled = false;
      let stream: AbortController | undefined;
      const finish = (end: WatchEnd): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        stream?.abort();
        resolve(end);
      };
      const onAbort = (): void => finish({ kind: 'aborted' });
      if (signal.aborted) {
        resolve({ kind: 'aborted' });
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });

      const where = `watching SandboxClaim "${options.name}" in namespace "${namespace}"`;
      const handle = (type: string, object: unknown): void => {
        if (settled) return;
        if (type === 'ERROR') {
          const status = statusObjectShape(object);
          if (status.code === 410) finish({ kind: 'gone', message: status.message ?? 'resource version too old' });
          else finish({ kind: 'error', error: new KubeApiError(status.code ?? 500, status.reason ?? 'WatchError', `${where}: ${status.message ?? 'error event'}`) });
          return;
        }
        if (type === 'BOOKMARK') {
          const rv = (object as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
          if (typeof rv === 'string') onEvent({ type: 'BOOKMARK', resourceVersion: rv });
          return;
        }
        if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
        let claim: SandboxClaim;
        try {
          claim = parseSandboxClaim(object, where);
        } catch (error) {
          finish({ kind: 'error', error: error as Error });
          return;
        }
        if (onEvent({ type, claim }) === 'stop') finish({ kind: 'stopped' });
      };
      const done = (error: unknown): void => {
        if (error === null || error === undefined) return finish({ kind: 'closed' });
        const statusCode = (error as { statusCode?: unknown }).statusCode;
        if (statusCode === 410) return finish({ kind: 'gone', message: 'HTTP 410 Gone' });
        const message = error instanceof Error ? error.message : String(error);
        finish({ kind: 'error', error: new KubeApiError(typeof statusCode === 'number' ? statusCode : 0, 'WatchFailed', `${where}: ${message}`) });
      };
      this.watcher
        .watch(
          this.collectionPath(namespace),
          {
            fieldSelector: `metadata.name=${options.name}`,
            resourceVersion: options.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: Math.max(1, Math.ceil(options.timeoutSeconds)),
          },
          (type, object) => {
            // Watch swallows exceptions thrown here; never let one hide an event.
            try {
              handle(type, object);
            } catch (error) {
              finish({ kind: 'error', error: error as Error });
            }
          },
          done,
        )
        .then(
          (controller) => {
            stream = controller;
            if (settled) controller.abort();
          },
          (error: unknown) => done(error ?? new Error('watch failed')),
        );
    });
  }

  private target(namespace: string) {
    return { group: SANDBOX_CLAIM_GROUP, version: SANDBOX_CLAIM_VERSION, namespace, plural: SANDBOX_CLAIM_PLURAL };
  }

  /** Runs one request with the caller's signal plus the request timeout, mapping errors. */
  private async call<T>(where: string, signal: AbortSignal | undefined, request: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const attachSignal: ObservableMiddleware = {
      pre: (context) => {
        context.setSignal(combined);
        return new Observable(Promise.resolve(context));
      },
      post: (response) => new Observable(Promise.resolve(response)),
    };
    try {
      return await request({ middleware: [attachSignal], middlewareMergeStrategy: 'append' });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new KubeApiError(0, 'Timeout', `${where}: no answer from the Kubernetes API server within ${this.requestTimeoutMs} ms`);
      throw toKubeApiError(error, where);
    }
  }
}

function toKubeApiError(error: unknown, where: string): Error {
  if (error instanceof KubeApiError) return error;
  if (error instanceof ApiException) {
    const status = statusObjectShape((error as ApiException<unknown>).body);
    const reason = status.reason ?? (error.code === 401 ? 'Unauthorized' : 'Unknown');
    return new KubeApiError(error.code, reason, `${where}: ${error.code} ${reason}${status.message ? `: ${status.message}` : ''}`, status.detailsKind);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new KubeApiError(0, 'NetworkError', `${where}: ${message}`);
}
