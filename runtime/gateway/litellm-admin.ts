/**
 * A client of LiteLLM's documented admin API for teams and virtual keys (docs.litellm.ai/docs/
 * proxy/virtual_keys, /docs/proxy/team_budgets; fields as in litellm/proxy/_types.py), with
 * the master key as bearer. Only what the key reconciler needs.
 *
 * Errors are two kinds, because the reconciler treats them differently:
 * - GatewayUnavailableError: no connection, a timeout or a 5xx (the gateway is down, starting
 *   or its database is): retried with backoff, nothing is wrong with the configuration;
 * - GatewayRequestError: a 4xx (a refused master key, an invalid value): reported as such.
 * No message ever holds a key: requests carry keys only in bodies, and errors quote LiteLLM's
 * answer with anything that looks like a key masked.
 */

export interface LiteLLMTeam {
  readonly team_id: string;
  readonly team_alias?: string | null;
  readonly models?: readonly string[] | null;
  readonly max_budget?: number | null;
  readonly budget_duration?: string | null;
  readonly rpm_limit?: number | null;
  readonly tpm_limit?: number | null;
  readonly metadata?: Readonly<Record<string, unknown>> | null;
  readonly spend?: number | null;
}

export interface LiteLLMKey {
  /** sha256 hex of the key: how LiteLLM names a key without holding it */
  readonly token: string;
  readonly key_alias?: string | null;
  readonly team_id?: string | null;
  readonly models?: readonly string[] | null;
  readonly metadata?: Readonly<Record<string, unknown>> | null;
}

export interface TeamFields {
  readonly team_alias: string;
  readonly models: readonly string[];
  readonly max_budget: number | null;
  readonly budget_duration: string | null;
  readonly rpm_limit: number | null;
  readonly tpm_limit: number | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface KeyFields {
  readonly key_alias: string;
  readonly team_id: string;
  readonly models: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

export class GatewayUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayUnavailableError';
  }
}

export class GatewayRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayRequestError';
  }
}

/** LiteLLM keys look like sk-…; anything of that form in an error text is masked. */
export function maskKeys(text: string): string {
  return text.replace(/sk-[A-Za-z0-9_-]{4,}/g, 'sk-****');
}

export interface LiteLLMAdminOptions {
  /** the proxy's base URL, e.g. http://litellm.paddock-gateway.svc.cluster.local:4000 */
  readonly url: string;
  readonly masterKey: string;
  readonly timeoutMs?: number;
}

/** LiteLLM's /key/list page size limit. */
const PAGE_SIZE = 100;

export class LiteLLMAdmin {
  private readonly base: string;

  constructor(private readonly options: LiteLLMAdminOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T | undefined }> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.masterKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new GatewayUnavailableError(`the model gateway at ${this.base} cannot be reached (${cause})`);
    }
    const text = await res.text().catch(() => '');
    const what = `${method} ${path.split('?')[0]}`;
    if (res.status >= 500) throw new GatewayUnavailableError(`the model gateway answered ${what} with HTTP ${res.status}: ${maskKeys(text).slice(0, 300)}`);
    if (res.status === 404) return { status: 404, body: undefined };
    if (res.status >= 400) {
      const hint = res.status === 401 || res.status === 403 ? ' (is the master key in Secret paddock-gateway-admin the gateway\'s LITELLM_MASTER_KEY?)' : '';
      throw new GatewayRequestError(res.status, `the model gateway refused ${what} with HTTP ${res.status}${hint}: ${maskKeys(text).slice(0, 500)}`);
    }
    try {
      return { status: res.status, body: JSON.parse(text) as T };
    } catch {
      throw new GatewayUnavailableError(`the model gateway answered ${what} with a body that is not JSON`);
    }
  }

  /** The team, or undefined when LiteLLM does not know it (404). */
  async teamInfo(teamId: string): Promise<LiteLLMTeam | undefined> {
    const { body } = await this.call<{ team_info?: LiteLLMTeam }>('GET', `/team/info?team_id=${encodeURIComponent(teamId)}`);
    return body?.team_info;
  }

  async listTeams(): Promise<LiteLLMTeam[]> {
    const { body } = await this.call<LiteLLMTeam[]>('GET', '/team/list');
    return Array.isArray(body) ? body : [];
  }

  async newTeam(teamId: string, fields: TeamFields): Promise<void> {
    await this.call('POST', '/team/new', { team_id: teamId, ...fields });
  }

  async updateTeam(teamId: string, fields: Partial<TeamFields>): Promise<void> {
    const { status } = await this.call('POST', '/team/update', { team_id: teamId, ...fields });
    if (status === 404) throw new GatewayRequestError(404, `the model gateway lost team ${teamId} while it was being updated`);
  }

  /** Every key of a team (all pages), as LiteLLM shows them (token, alias, models, metadata). */
  async teamKeys(teamId: string): Promise<LiteLLMKey[]> {
    const keys: LiteLLMKey[] = [];
    for (let page = 1; page <= 1000; page++) {
      const { body } = await this.call<{ keys?: LiteLLMKey[]; total_pages?: number }>('GET', `/key/list?team_id=${encodeURIComponent(teamId)}&return_full_object=true&page=${page}&size=${PAGE_SIZE}`);
      keys.push(...(body?.keys ?? []).filter((k): k is LiteLLMKey => typeof k === 'object' && k !== null && typeof k.token === 'string'));
      if (!body || page >= (body.total_pages ?? 1)) break;
    }
    return keys;
  }

  /** Registers a caller-chosen key (LiteLLM stores only its hash). */
  async generateKey(key: string, fields: KeyFields): Promise<void> {
    await this.call('POST', '/key/generate', { key, ...fields });
  }

  /** `token`: the key's sha256 (LiteLLM accepts the key or its hash). */
  async updateKey(token: string, fields: Partial<KeyFields>): Promise<void> {
    const { status } = await this.call('POST', '/key/update', { key: token, ...fields });
    if (status === 404) throw new GatewayRequestError(404, `the model gateway lost key ${token.slice(0, 12)}… while it was being updated`);
  }

  async deleteKeys(tokens: readonly string[]): Promise<void> {
    if (tokens.length === 0) return;
    await this.call('POST', '/key/delete', { keys: tokens });
  }
}
