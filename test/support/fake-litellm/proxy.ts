/**
 * The fake LiteLLM's proxy routes: `/v1/messages` (Anthropic), `/v1/chat/completions` and
 * `/v1/responses` (OpenAI), each also without the `/v1` prefix as LiteLLM serves them. A
 * request passes LiteLLM's checks in LiteLLM's order, each refusal in LiteLLM's shape
 * (litellm/proxy/auth/user_api_key_auth.py, auth_checks.py, auth_exception_handler.py,
 * hooks/parallel_request_limiter_v3.py):
 *
 * | check | refusal |
 * |---|---|
 * | a key is presented, starts with `sk-` and is known | 401 auth_error |
 * | the model is one the gateway serves | 400 "Invalid model name passed in model=…" |
 * | the key's `models` allow the model | 401 key_model_access_denied |
 * | the key's team's `models` allow it | 401 team_model_access_denied |
 * | the team's spend is below its `max_budget` (then the key's) | 400 budget_exceeded, "Budget has been exceeded! …" |
 * | requests (rpm) and tokens (tpm) in the last 60 s under the key's and the team's limits | 429 "Rate limit exceeded for …", retry-after |
 *
 * Then the model answers (test/support/fake-model's brain) and the call's cost
 * (`costPerCall`) is added to the key's and the team's spend, as LiteLLM's spend tracking does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { answerAnthropic, type AnthropicRequest } from '../fake-model/anthropic.ts';
import { chunk, think } from '../fake-model/brain.ts';
import { answerResponses, type ResponsesRequest } from '../fake-model/openai-responses.ts';
import { streamControl } from '../fake-model/stream-control.ts';
import { ProxyError, readJson } from './http.ts';
import { hashKey, type KeyRecord, type StateStore, type TeamRecord } from './state.ts';

export const PROXY_ROUTES: Readonly<Record<string, 'anthropic' | 'chat' | 'responses'>> = {
  '/v1/messages': 'anthropic',
  '/messages': 'anthropic',
  '/v1/chat/completions': 'chat',
  '/chat/completions': 'chat',
  '/v1/responses': 'responses',
  '/responses': 'responses',
};

/** Tokens a call counts against tpm limits (the fake does not tokenize). */
export const TOKENS_PER_CALL = 100;
const WINDOW_MS = 60_000;

export interface ProxyCall {
  readonly api: 'anthropic' | 'chat' | 'responses';
  readonly model: string;
  /** the key's token (sha256), or "master" */
  readonly token: string;
  readonly teamId: string | null;
  /** the HTTP status answered */
  readonly status: number;
  readonly errorType?: string;
}

export interface ProxyOptions {
  readonly store: StateStore;
  readonly masterKey: string;
  /** the model names the gateway serves (its model_list) */
  readonly models: readonly string[];
  /** USD added to the key's and team's spend per successful call */
  readonly costPerCall: number;
  readonly calls: ProxyCall[];
}

/** Sliding one-minute windows of requests and tokens, per key and per team (LiteLLM keeps them in memory or Redis). */
export class RateWindows {
  private readonly entries = new Map<string, { at: number; tokens: number }[]>();

  private recent(id: string, now: number) {
    const list = (this.entries.get(id) ?? []).filter((e) => now - e.at < WINDOW_MS);
    this.entries.set(id, list);
    return list;
  }

  check(id: string, label: string, rpm: number | null, tpm: number | null, now = Date.now()): void {
    const list = this.recent(id, now);
    const reset = new Date((list[0]?.at ?? now) + WINDOW_MS).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    const refuse = (type: 'requests' | 'tokens', limit: number) =>
      new ProxyError(429, `Rate limit exceeded for ${label}. Limit type: ${type}. Current limit: ${limit}, Remaining: 0. Limit resets at: ${reset}`, 'None', 'None', { 'retry-after': '60', rate_limit_type: type, reset_at: reset });
    if (rpm !== null && list.length >= rpm) throw refuse('requests', rpm);
    if (tpm !== null && list.reduce((sum, e) => sum + e.tokens, 0) >= tpm) throw refuse('tokens', tpm);
  }

  record(id: string, tokens: number, now = Date.now()): void {
    this.recent(id, now).push({ at: now, tokens });
  }
}

function masked(key: string): string {
  return key.length <= 8 ? '****' : `${key.slice(0, 4)}****${key.slice(-4)}`;
}

interface Caller {
  readonly token: string;
  readonly key: KeyRecord | undefined;
  readonly team: TeamRecord | undefined;
}

export function authenticate(presented: string | undefined, options: Pick<ProxyOptions, 'store' | 'masterKey'>): Caller {
  if (presented === undefined) throw new ProxyError(401, 'Authentication Error, No api key passed in.', 'auth_error');
  if (presented === options.masterKey) return { token: 'master', key: undefined, team: undefined };
  if (!presented.startsWith('sk-')) throw new ProxyError(401, `Authentication Error, LiteLLM Virtual Key expected. Received=${masked(presented)}, expected to start with 'sk-'.`, 'auth_error');
  const token = hashKey(presented);
  const key = options.store.state.keys[token];
  if (!key) throw new ProxyError(401, `Authentication Error, Invalid proxy server token passed. Received API Key = ${masked(presented)}, Key Hash (Token) =${token}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``, 'auth_error');
  if (key.blocked) throw new ProxyError(401, `Authentication Error, Key is blocked. Update via \`/key/unblock\` if you're admin.`, 'auth_error');
  const team = key.team_id ? options.store.state.teams[key.team_id] : undefined;
  if (team?.blocked) throw new ProxyError(401, `Authentication Error, Team=${team.team_id} is blocked. Update via \`/team/unblock\` if you're admin.`, 'auth_error');
  return { token, key, team };
}

/** LiteLLM's access and budget checks for one model request (before any rate limit). */
export function checkAccess(caller: Caller, model: string, served: readonly string[]): void {
  if (!served.includes(model)) throw new ProxyError(400, `Invalid model name passed in model=${model}. Call \`/v1/models\` to view available models for your key.`, 'bad_request_error', 'model');
  const { key, team } = caller;
  if (key && key.models.length > 0 && !key.models.includes(model)) {
    throw new ProxyError(401, `Authentication Error, key not allowed to access model. This key can only access models=${JSON.stringify(key.models)}. Tried to access ${model}`, 'key_model_access_denied', 'model');
  }
  if (team && team.models.length > 0 && !team.models.includes(model)) {
    throw new ProxyError(401, `Authentication Error, team not allowed to access model. This team can only access models=${JSON.stringify(team.models)}. Tried to access ${model}`, 'team_model_access_denied', 'model');
  }
  if (team && team.max_budget !== null && team.spend >= team.max_budget) {
    throw new ProxyError(400, `Budget has been exceeded! Team=${team.team_id} Current cost: ${team.spend}, Max budget: ${team.max_budget}`, 'budget_exceeded', null);
  }
  if (key && key.max_budget !== null && key.spend >= key.max_budget) {
    throw new ProxyError(400, `Budget has been exceeded! Current cost: ${key.spend}, Max budget: ${key.max_budget}`, 'budget_exceeded', null);
  }
}

async function answerChat(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
  const messages = Array.isArray(body.messages) ? (body.messages as { role?: string; content?: unknown }[]) : [];
  const conversation = messages
    .filter((m): m is { role: 'user' | 'assistant'; content?: unknown } => m.role === 'user' || m.role === 'assistant')
    .map((m) => ({ role: m.role, texts: [typeof m.content === 'string' ? m.content : ''], toolResults: [] }));
  const plan = think(conversation, { canUseShell: false });
  if (plan.kind === 'error') throw new ProxyError(plan.status, plan.message, 'invalid_request_error');
  const text = plan.kind === 'text' ? plan.chunks.join('') : plan.preamble;
  const id = `chatcmpl-${randomUUID()}`;
  const usage = { prompt_tokens: 12, completion_tokens: chunk(text).length, total_tokens: 12 + chunk(text).length };
  if (body.stream === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const piece of chunk(text)) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage }));
}

export async function handleProxy(req: IncomingMessage, res: ServerResponse, api: 'anthropic' | 'chat' | 'responses', presented: string | undefined, options: ProxyOptions, windows: RateWindows): Promise<void> {
  let caller: Caller | undefined;
  let model = '';
  try {
    if (req.method !== 'POST') throw new ProxyError(405, 'Method Not Allowed', 'bad_request_error');
    caller = authenticate(presented, options);
    const body = await readJson(req);
    model = typeof body.model === 'string' ? body.model : '';
    checkAccess(caller, model, options.models);
    if (caller.key) windows.check(`key:${caller.token}`, `api_key: ${caller.token}`, caller.key.rpm_limit, caller.key.tpm_limit);
    if (caller.team) windows.check(`team:${caller.team.team_id}`, `team: ${caller.team.team_id}`, caller.team.rpm_limit, caller.team.tpm_limit);
    if (caller.key) windows.record(`key:${caller.token}`, TOKENS_PER_CALL);
    if (caller.team) windows.record(`team:${caller.team.team_id}`, TOKENS_PER_CALL);
    options.calls.push({ api, model, token: caller.token, teamId: caller.team?.team_id ?? null, status: 200 });
    if (caller.key) caller.key.spend += options.costPerCall;
    if (caller.team) caller.team.spend += options.costPerCall;
    options.store.save();
    const control = streamControl(res, 2, () => undefined);
    if (api === 'anthropic') await answerAnthropic(body as AnthropicRequest, res, control);
    else if (api === 'responses') await answerResponses(body as ResponsesRequest, res, control);
    else await answerChat(body, res);
  } catch (error) {
    if (error instanceof ProxyError) options.calls.push({ api, model, token: caller?.token ?? 'unknown', teamId: caller?.team?.team_id ?? null, status: error.status, errorType: error.type });
    throw error;
  }
}
