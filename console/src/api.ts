/**
 * The runtime's HTTP API as the console uses it: same origin, `Authorization: Bearer` from the
 * tab's token (never a URL parameter), JSON in and out, every error an ApiError with the API's
 * code. A 401 becomes the one message a person needs: the token was not accepted.
 */
import type { WireEvent } from './events.ts';

export const TOKEN_REJECTED = 'That API token was not accepted';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type SessionState = 'active' | 'ended' | 'failed';

export interface Session {
  readonly id: string;
  readonly team: string;
  readonly harness: string;
  readonly title: string | null;
  readonly state: SessionState;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly turns: number;
  readonly lastSeq: number;
  readonly sandboxGeneration: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly endedAt: string | null;
}

export interface Turn {
  readonly number: number;
  readonly state: string;
  readonly stopReason: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export type Principal = { readonly kind: 'admin' } | { readonly kind: 'team'; readonly team: string };

export interface HarnessListing {
  readonly principal: Principal;
  readonly teams: ReadonlyArray<{ readonly name: string; readonly harnesses: ReadonlyArray<{ readonly name: string; readonly available: boolean; readonly unavailableReason: string | null }> }>;
}

export interface SessionPage {
  readonly sessions: readonly Session[];
  readonly nextCursor: string | null;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface Api {
  readonly token: string;
  harnesses(): Promise<HarnessListing>;
  listSessions(query: { state?: SessionState; cursor?: string; team?: string; limit?: number }): Promise<SessionPage>;
  createSession(body: { harness: string; title?: string; team?: string }): Promise<Session>;
  getSession(id: string): Promise<Session & { readonly activeTurn: Turn | null }>;
  sendMessage(id: string, text: string): Promise<Turn>;
  abort(id: string): Promise<void>;
  endSession(id: string): Promise<Session>;
  eventsPage(id: string, after: number): Promise<{ events: WireEvent[]; hasMore: boolean }>;
  /** a route that may not exist on this runtime yet (usage, audit): undefined on its 404 */
  optional(path: string): Promise<unknown>;
}

async function errorOf(response: Response): Promise<ApiError> {
  if (response.status === 401) return new ApiError(401, 'unauthorized', TOKEN_REJECTED);
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) return new ApiError(response.status, body.error.code, body.error.message ?? body.error.code);
  } catch {
    // not JSON: a proxy's page
  }
  return new ApiError(response.status, 'http_error', `the runtime answered ${response.status} ${response.statusText}`.trim());
}

export function createApi(token: string, fetchImpl: FetchLike = (input, init) => fetch(input, init), base = ''): Api {
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch {
      throw new ApiError(0, 'network', 'the runtime cannot be reached; check your connection and retry');
    }
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  };
  const query = (params: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value));
    const text = search.toString();
    return text ? `?${text}` : '';
  };
  const session = (id: string) => `/v1/sessions/${encodeURIComponent(id)}`;
  return {
    token,
    harnesses: () => request<HarnessListing>('GET', '/v1/harnesses'),
    listSessions: (q) => request<SessionPage>('GET', `/v1/sessions${query({ limit: q.limit, state: q.state, cursor: q.cursor, team: q.team })}`),
    createSession: async (body) => (await request<{ session: Session }>('POST', '/v1/sessions', body)).session,
    getSession: async (id) => (await request<{ session: Session & { activeTurn: Turn | null } }>('GET', session(id))).session,
    sendMessage: async (id, text) => (await request<{ turn: Turn }>('POST', `${session(id)}/messages`, { text })).turn,
    abort: async (id) => {
      await request('POST', `${session(id)}/abort`, {});
    },
    endSession: async (id) => (await request<{ session: Session }>('DELETE', session(id))).session,
    eventsPage: (id, after) => request<{ events: WireEvent[]; hasMore: boolean }>('GET', `${session(id)}/events${query({ after, limit: 1000 })}`),
    optional: async (path) => {
      try {
        return await request<unknown>('GET', path);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }
    },
  };
}
