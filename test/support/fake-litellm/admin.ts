/**
 * The fake LiteLLM's management API, the part of LiteLLM's documented admin API that Paddock
 * uses (docs.litellm.ai/docs/proxy/virtual_keys, /docs/proxy/team_budgets; request and answer
 * fields as in litellm/proxy/_types.py: GenerateKeyRequest, UpdateKeyRequest, NewTeamRequest,
 * UpdateTeamRequest). Every route needs the master key (`Authorization: Bearer <master key>`).
 *
 * | route | body / query | answer |
 * |---|---|---|
 * | POST /team/new | team_id?, team_alias, models, max_budget, budget_duration, rpm_limit, tpm_limit, metadata | the team |
 * | POST /team/update | team_id + fields to change | {team_id, data: team} |
 * | GET /team/info?team_id= | – | {team_id, team_info, keys}; 404 when unknown |
 * | GET /team/list | – | [team, ...] |
 * | POST /team/delete | {team_ids} | {deleted_teams} (their keys go too) |
 * | POST /key/generate | key?, key_alias?, team_id?, models, max_budget, budget_duration, rpm_limit, tpm_limit, metadata | the key, its token (hash) and fields |
 * | POST /key/update | key (the key or its token) + fields | the key's fields |
 * | GET /key/info?key= | – | {key: token, info} ; 404 when unknown |
 * | GET /key/list?team_id=&return_full_object=true&page=&size= | – | {keys, total_count, current_page, total_pages} |
 * | POST /key/delete | {keys} (keys or tokens) or {key_aliases} | {deleted_keys} |
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { field, ProxyError, readJson, sendJson } from './http.ts';
import { abbreviate, hashKey, type KeyRecord, type StateStore, type TeamRecord } from './state.ts';

const now = () => new Date().toISOString();

function teamFields(body: Record<string, unknown>): Partial<TeamRecord> {
  const out: Partial<TeamRecord> = {};
  const alias = field.string(body, 'team_alias');
  if (alias !== undefined) out.team_alias = alias;
  const models = field.strings(body, 'models');
  if (models !== undefined) out.models = models;
  const maxBudget = field.number(body, 'max_budget');
  if (maxBudget !== undefined) out.max_budget = maxBudget;
  const duration = field.string(body, 'budget_duration');
  if (duration !== undefined || body.budget_duration === null) out.budget_duration = duration ?? null;
  const rpm = field.integer(body, 'rpm_limit');
  if (rpm !== undefined) out.rpm_limit = rpm;
  const tpm = field.integer(body, 'tpm_limit');
  if (tpm !== undefined) out.tpm_limit = tpm;
  const metadata = field.object(body, 'metadata');
  if (metadata !== undefined) out.metadata = metadata;
  if (out.budget_duration && !/^\d+(s|m|h|d|w|mo)$/.test(out.budget_duration)) throw new ProxyError(400, `Invalid budget_duration: ${out.budget_duration}`, 'bad_request_error', 'budget_duration');
  return out;
}

function keyFields(body: Record<string, unknown>): Partial<KeyRecord> {
  const out: Partial<KeyRecord> = {};
  const alias = field.string(body, 'key_alias');
  if (alias !== undefined) out.key_alias = alias;
  const team = field.string(body, 'team_id');
  if (team !== undefined) out.team_id = team;
  const models = field.strings(body, 'models');
  if (models !== undefined) out.models = models;
  const maxBudget = field.number(body, 'max_budget');
  if (maxBudget !== undefined) out.max_budget = maxBudget;
  const duration = field.string(body, 'budget_duration');
  if (duration !== undefined) out.budget_duration = duration;
  const rpm = field.integer(body, 'rpm_limit');
  if (rpm !== undefined) out.rpm_limit = rpm;
  const tpm = field.integer(body, 'tpm_limit');
  if (tpm !== undefined) out.tpm_limit = tpm;
  const metadata = field.object(body, 'metadata');
  if (metadata !== undefined) out.metadata = metadata;
  return out;
}

/** A key as /key/info and /key/list show it: everything but the key itself. */
export function keyView(key: KeyRecord): Record<string, unknown> {
  return { ...key };
}

export interface AdminOptions {
  readonly store: StateStore;
  readonly masterKey: string;
}

function requireMaster(req: IncomingMessage, masterKey: string, presented: string | undefined): void {
  if (presented === undefined) throw new ProxyError(401, 'Authentication Error, No api key passed in.', 'auth_error');
  if (presented !== masterKey) {
    // a virtual key may not manage teams or keys of others; an unknown value is not a key at all
    throw new ProxyError(401, `Authentication Error, Only proxy admin can be used to call ${req.url?.split('?')[0] ?? 'this route'}`, 'auth_error');
  }
}

export const ADMIN_ROUTES = ['/team/new', '/team/update', '/team/info', '/team/list', '/team/delete', '/key/generate', '/key/update', '/key/info', '/key/list', '/key/delete'] as const;

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, url: URL, presented: string | undefined, options: AdminOptions): Promise<void> {
  requireMaster(req, options.masterKey, presented);
  const { store } = options;
  const state = store.state;
  const method = req.method ?? 'GET';
  const expect = (want: string) => {
    if (method !== want) throw new ProxyError(405, 'Method Not Allowed', 'bad_request_error');
  };
  switch (path) {
    case '/team/new': {
      expect('POST');
      const body = await readJson(req);
      const teamId = field.string(body, 'team_id') ?? randomUUID();
      if (state.teams[teamId]) throw new ProxyError(400, `Team id = ${teamId} already exists. Please use a different team id.`, 'bad_request_error', 'team_id');
      const team: TeamRecord = { team_id: teamId, team_alias: null, models: [], max_budget: null, budget_duration: null, rpm_limit: null, tpm_limit: null, metadata: {}, spend: 0, blocked: false, created_at: now(), updated_at: now(), ...teamFields(body) };
      state.teams[teamId] = team;
      store.save();
      return sendJson(res, 200, team);
    }
    case '/team/update': {
      expect('POST');
      const body = await readJson(req);
      const teamId = field.string(body, 'team_id');
      if (!teamId) throw new ProxyError(400, 'team_id is required', 'bad_request_error', 'team_id');
      const team = state.teams[teamId];
      if (!team) throw new ProxyError(404, `{'error': 'Team not found, passed team_id=${teamId}'}`, 'not_found_error', 'team_id');
      Object.assign(team, teamFields(body), { updated_at: now() });
      store.save();
      return sendJson(res, 200, { team_id: teamId, data: team });
    }
    case '/team/info': {
      expect('GET');
      const teamId = url.searchParams.get('team_id');
      const team = teamId ? state.teams[teamId] : undefined;
      if (!team) throw new ProxyError(404, `{'error': 'Team not found, passed team_id=${teamId ?? ''}'}`, 'not_found_error', 'team_id');
      return sendJson(res, 200, { team_id: team.team_id, team_info: team, keys: Object.values(state.keys).filter((k) => k.team_id === team.team_id).map(keyView), team_memberships: [] });
    }
    case '/team/list': {
      expect('GET');
      return sendJson(res, 200, Object.values(state.teams));
    }
    case '/team/delete': {
      expect('POST');
      const ids = field.strings(await readJson(req), 'team_ids') ?? [];
      for (const id of ids) if (!state.teams[id]) throw new ProxyError(404, `{'error': 'Team not found, passed team_id=${id}'}`, 'not_found_error', 'team_ids');
      for (const id of ids) {
        delete state.teams[id];
        for (const [token, key] of Object.entries(state.keys)) if (key.team_id === id) delete state.keys[token];
      }
      store.save();
      return sendJson(res, 200, { deleted_teams: ids });
    }
    case '/key/generate': {
      expect('POST');
      const body = await readJson(req);
      const key = field.string(body, 'key') ?? `sk-${randomBytes(16).toString('base64url')}`;
      const token = hashKey(key);
      if (state.keys[token]) throw new ProxyError(400, 'Unique constraint failed on the fields: (`token`)', 'bad_request_error', 'key');
      const fields = keyFields(body);
      if (fields.key_alias && Object.values(state.keys).some((k) => k.key_alias === fields.key_alias)) {
        throw new ProxyError(400, `Unique key aliases across all keys are required. Key alias=${fields.key_alias} already exists.`, 'bad_request_error', 'key_alias');
      }
      if (fields.team_id && !state.teams[fields.team_id]) throw new ProxyError(400, `Team not found for team_id=${fields.team_id}`, 'bad_request_error', 'team_id');
      const record: KeyRecord = { token, key_alias: null, key_name: abbreviate(key), team_id: null, models: [], max_budget: null, budget_duration: null, rpm_limit: null, tpm_limit: null, metadata: {}, spend: 0, blocked: null, created_at: now(), updated_at: now(), ...fields };
      state.keys[token] = record;
      store.save();
      return sendJson(res, 200, { ...record, key });
    }
    case '/key/update': {
      expect('POST');
      const body = await readJson(req);
      const which = field.string(body, 'key');
      const record = which ? store.keyByTokenOrKey(which) : undefined;
      if (!record) throw new ProxyError(404, `Key not found: ${which ? abbreviate(which) : '(none)'}`, 'not_found_error', 'key');
      const fields = keyFields(body);
      if (fields.key_alias && Object.values(state.keys).some((k) => k.key_alias === fields.key_alias && k.token !== record.token)) {
        throw new ProxyError(400, `Unique key aliases across all keys are required. Key alias=${fields.key_alias} already exists.`, 'bad_request_error', 'key_alias');
      }
      if (fields.team_id && !state.teams[fields.team_id]) throw new ProxyError(400, `Team not found for team_id=${fields.team_id}`, 'bad_request_error', 'team_id');
      Object.assign(record, fields, { updated_at: now() });
      store.save();
      return sendJson(res, 200, keyView(record));
    }
    case '/key/info': {
      expect('GET');
      const which = url.searchParams.get('key');
      const record = which ? store.keyByTokenOrKey(which) : undefined;
      if (!record) throw new ProxyError(404, `{'error': 'Key not found in database. key=${which ? abbreviate(which) : ''}'}`, 'not_found_error', 'key');
      return sendJson(res, 200, { key: record.token, info: keyView(record) });
    }
    case '/key/list': {
      expect('GET');
      const teamId = url.searchParams.get('team_id');
      const page = Number(url.searchParams.get('page') ?? '1');
      const size = Number(url.searchParams.get('size') ?? '10');
      if (!Number.isInteger(page) || page < 1) throw new ProxyError(422, 'page: Input should be greater than or equal to 1', 'bad_request_error', 'page');
      if (!Number.isInteger(size) || size < 1 || size > 100) throw new ProxyError(422, 'size: Input should be less than or equal to 100', 'bad_request_error', 'size');
      const all = Object.values(state.keys).filter((k) => teamId === null || k.team_id === teamId).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.token.localeCompare(b.token));
      const slice = all.slice((page - 1) * size, page * size);
      const full = url.searchParams.get('return_full_object') === 'true';
      return sendJson(res, 200, { keys: full ? slice.map(keyView) : slice.map((k) => k.token), total_count: all.length, current_page: page, total_pages: Math.max(1, Math.ceil(all.length / size)) });
    }
    case '/key/delete': {
      expect('POST');
      const body = await readJson(req);
      const keys = field.strings(body, 'keys');
      const aliases = field.strings(body, 'key_aliases');
      const records = keys ? keys.map((k) => store.keyByTokenOrKey(k)) : (aliases ?? []).map((a) => Object.values(state.keys).find((k) => k.key_alias === a));
      if (records.length === 0 || records.some((r) => r === undefined)) throw new ProxyError(400, 'Failed to delete all keys. Keys passed in do not exist.', 'bad_request_error', 'keys');
      for (const r of records) delete state.keys[r!.token];
      store.save();
      return sendJson(res, 200, { deleted_keys: keys ?? aliases });
    }
    default:
      throw new ProxyError(404, 'Not Found', 'not_found_error');
  }
}
