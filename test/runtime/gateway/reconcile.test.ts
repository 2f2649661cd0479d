/**
 * The gateway key reconciler against the fake LiteLLM (test/support/fake-litellm, written from
 * LiteLLM's documentation) running as a real child process: teams and keys created, converged
 * on config changes, rotated without a gap, removed with their team, recovered after the
 * gateway was down; and the reconciled keys used on the proxy, where a team's key is refused
 * another team's model and a spent budget or a rate limit is refused in LiteLLM's shapes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileGateway, type ReconcileInput } from '../../../runtime/gateway/reconcile.ts';
import { keyAliasOf, teamIdOf, tokenOf, type GatewayTeamConfig } from '../../../runtime/gateway/key-plan.ts';
import { LiteLLMAdmin } from '../../../runtime/gateway/litellm-admin.ts';
import { startGatewayReconciler } from '../../../runtime/gateway/reconciler.ts';
import { createLogger } from '../../../runtime/log.ts';
import { FakeLiteLLMProcess } from '../../support/fake-litellm/process.ts';
import type { FakeLiteLLMState } from '../../support/fake-litellm/state.ts';

const masterKey = `sk-master-${randomBytes(12).toString('hex')}`;
const newKey = () => `sk-paddock-${randomBytes(18).toString('base64url')}`;
const MODELS = ['claude-fast', 'claude-big', 'gpt-fast'];

let gateway: FakeLiteLLMProcess;
let admin: LiteLLMAdmin;
beforeAll(async () => {
  gateway = new FakeLiteLLMProcess({ masterKey, models: MODELS, costPerCall: 0.5 });
  await gateway.start();
  admin = new LiteLLMAdmin({ url: gateway.url, masterKey, timeoutMs: 3000 });
}, 40_000);
afterAll(async () => {
  await gateway?.dispose();
});

const state = async () => (await gateway.admin<FakeLiteLLMState>('GET', '/__fake/state')).body;

/** A model call on the proxy with `key`, as a harness CLI makes it. */
async function callModel(key: string, model: string, api: 'anthropic' | 'openai' = 'anthropic'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gateway.url}${api === 'anthropic' ? '/v1/messages' : '/v1/chat/completions'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(api === 'anthropic' ? { 'x-api-key': key } : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hello there' }] }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) };
}

describe('reconcileGateway', () => {
  const keys = new Map([['alpha', newKey()], ['beta', newKey()]]);
  let teams: GatewayTeamConfig[] = [
    { name: 'alpha', models: ['claude-fast', 'claude-big'], budget: { maxUsd: 20, period: '30d' }, rpm: 100 },
    { name: 'beta', models: ['gpt-fast'] },
  ];
  const input = (): ReconcileInput => ({ stack: 'test', teams, keys });

  it('creates each team with its models, budget and limits, and its key bound to the team', async () => {
    const report = await reconcileGateway(admin, input());
    expect(report).toEqual({ converged: true, removed: [], teams: [{ team: 'alpha', actions: ['team_created', 'key_created'] }, { team: 'beta', actions: ['team_created', 'key_created'] }] });
    const s = await state();
    expect(s.teams[teamIdOf('alpha')]).toMatchObject({ models: ['claude-big', 'claude-fast'], max_budget: 20, budget_duration: '30d', rpm_limit: 100, tpm_limit: null, metadata: { paddock_managed: true, paddock_team: 'alpha' } });
    const alphaToken = tokenOf(keys.get('alpha')!);
    expect(s.keys[alphaToken]).toMatchObject({ team_id: 'paddock-alpha', models: ['claude-big', 'claude-fast'], key_alias: keyAliasOf('alpha', alphaToken) });
    // LiteLLM keeps hashes only: the key value is nowhere in its state
    expect(JSON.stringify(s)).not.toContain(keys.get('alpha'));
  });

  it('is idempotent: a second pass over a converged gateway changes nothing', async () => {
    const before = await state();
    const report = await reconcileGateway(admin, input());
    expect(report.teams.map((t) => t.actions)).toEqual([[], []]);
    expect((await state()).keys).toEqual(before.keys);
  });

  it('lets a team use its models and refuses it every other team\'s model', async () => {
    expect((await callModel(keys.get('alpha')!, 'claude-fast')).status).toBe(200);
    const refused = await callModel(keys.get('alpha')!, 'gpt-fast', 'openai');
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ type: 'key_model_access_denied', code: '401', message: expect.stringContaining('Tried to access gpt-fast') });
    expect((await callModel(keys.get('beta')!, 'claude-big')).status).toBe(401);
    expect((await callModel(keys.get('beta')!, 'gpt-fast', 'openai')).status).toBe(200);
    expect((await callModel(newKey(), 'gpt-fast')).body.error).toMatchObject({ type: 'auth_error', code: '401' });
  });

  it('converges on config changes: models, budget and limits updated, removed ones cleared', async () => {
    teams = [
      { name: 'alpha', models: ['claude-fast'], budget: { maxUsd: 5, period: '7d' }, tpm: 50_000 },
      { name: 'beta', models: ['gpt-fast', 'claude-fast'], rpm: 10 },
    ];
    const report = await reconcileGateway(admin, input());
    expect(report.teams).toEqual([{ team: 'alpha', actions: ['team_updated', 'key_updated'] }, { team: 'beta', actions: ['team_updated', 'key_updated'] }]);
    const s = await state();
    expect(s.teams['paddock-alpha']).toMatchObject({ models: ['claude-fast'], max_budget: 5, budget_duration: '7d', rpm_limit: null, tpm_limit: 50_000 });
    expect(s.keys[tokenOf(keys.get('alpha')!)]!.models).toEqual(['claude-fast']);
    expect((await callModel(keys.get('alpha')!, 'claude-big')).status).toBe(401);
    expect((await callModel(keys.get('beta')!, 'claude-fast')).status).toBe(200);
  });

  it('rotates: the new key exists before the old one is deleted, and only the new one works after', async () => {
    const old = keys.get('alpha')!;
    const rotated = newKey();
    keys.set('alpha', rotated);
    const report = await reconcileGateway(admin, input());
    expect(report.teams[0]).toEqual({ team: 'alpha', actions: ['key_created', 'key_deleted'] });
    const s = await state();
    expect(Object.values(s.keys).filter((k) => k.team_id === 'paddock-alpha').map((k) => k.token)).toEqual([tokenOf(rotated)]);
    expect((await callModel(rotated, 'claude-fast')).status).toBe(200);
    expect((await callModel(old, 'claude-fast')).status).toBe(401);
  });

  it('answers a spent team budget with LiteLLM\'s budget_exceeded (400) and a rate limit with 429', async () => {
    await gateway.admin('POST', '/__fake/spend', { team_id: 'paddock-alpha', spend: 5 });
    const spent = await callModel(keys.get('alpha')!, 'claude-fast');
    expect(spent.status).toBe(400);
    expect(spent.body.error).toEqual({ type: 'budget_exceeded', code: '400', param: null, message: 'Budget has been exceeded! Team=paddock-alpha Current cost: 5, Max budget: 5' });
    await gateway.admin('POST', '/__fake/spend', { team_id: 'paddock-alpha', spend: 0 });
    // beta: rpm 10, and it has used some already
    let limited: { status: number; body: any } | undefined;
    for (let i = 0; i < 12 && limited === undefined; i++) {
      const res = await callModel(keys.get('beta')!, 'gpt-fast', 'openai');
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited?.body.error).toMatchObject({ code: '429', message: expect.stringMatching(/^Rate limit exceeded for team: paddock-beta\. Limit type: requests\. Current limit: 10/) });
  });

  it('skips a team whose key is missing or malformed, saying why, and converges the others', async () => {
    const report = await reconcileGateway(admin, { stack: 'test', teams: [...teams, { name: 'gamma', models: ['gpt-fast'] }, { name: 'delta', models: ['gpt-fast'] }], keys: new Map([...keys, ['delta', 'not-a-litellm-key-000000000']]) });
    expect(report.converged).toBe(false);
    expect(report.teams.find((t) => t.team === 'gamma')?.problem).toMatch(/team "gamma" has no gateway key: Secret paddock-gateway-admin has no non-empty key "team-gamma"/);
    expect(report.teams.find((t) => t.team === 'delta')?.problem).toMatch(/does not start with "sk-"/);
    expect(JSON.stringify(report)).not.toContain('not-a-litellm-key');
    expect(report.teams.filter((t) => t.problem === undefined).map((t) => t.team)).toEqual(['alpha', 'beta']);
  });

  it('deletes the keys of a team no longer configured, and only Paddock\'s keys', async () => {
    // a key someone made by hand for the team stays
    await gateway.admin('POST', '/key/generate', { team_id: 'paddock-beta', key_alias: 'hand-made', models: ['gpt-fast'] });
    teams = teams.filter((t) => t.name !== 'beta');
    const report = await reconcileGateway(admin, input());
    expect(report.removed).toEqual([{ team: 'paddock-beta', keys: 1 }]);
    const s = await state();
    expect(Object.values(s.keys).filter((k) => k.team_id === 'paddock-beta').map((k) => k.key_alias)).toEqual(['hand-made']);
    expect((await callModel(keys.get('beta')!, 'gpt-fast')).status).toBe(401);
    expect((await reconcileGateway(admin, input())).removed).toEqual([]);
  });
});

describe('the reconciler loop', () => {
  let dir: string;
  const lines: string[] = [];
  const log = createLogger({ format: 'json', level: 'debug', write: (line) => void lines.push(line) });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'paddock-gateway-admin-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const waitFor = async (check: () => boolean, what: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log: ${lines.slice(-5).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('converges at start, follows a changed Secret, waits out a gateway that is down and converges when it is back', async () => {
    const gammaKey = newKey();
    writeFileSync(join(dir, 'masterKey'), `${masterKey}\n`);
    writeFileSync(join(dir, 'team-gamma'), gammaKey);
    const reconciler = startGatewayReconciler({ gatewayUrl: gateway.url, stack: 'test', teams: [{ name: 'gamma', models: ['gpt-fast'] }], secretDir: dir, log, checkMs: 100, maxBackoffMs: 400, requestTimeoutMs: 2000 });
    try {
      await waitFor(() => reconciler.status().state === 'converged', 'the first pass');
      expect((await callModel(gammaKey, 'gpt-fast')).status).toBe(200);

      // the gateway goes down; a rotation happens meanwhile
      await gateway.stop('SIGKILL');
      const rotated = newKey();
      writeFileSync(join(dir, 'team-gamma'), rotated);
      await waitFor(() => reconciler.status().state === 'unreachable', 'the reconciler to notice the gateway is down');
      expect(reconciler.status().lastError).toMatch(/cannot be reached \(ECONNREFUSED\)/);
      const failures = reconciler.status().consecutiveFailures;
      await waitFor(() => reconciler.status().consecutiveFailures > failures, 'a retry');

      // back, with its state (LiteLLM's database) intact
      await gateway.start();
      await waitFor(() => reconciler.status().state === 'converged', 'convergence after the gateway came back');
      expect((await callModel(rotated, 'gpt-fast')).status).toBe(200);
      expect((await callModel(gammaKey, 'gpt-fast')).status).toBe(401);

      // a wrong master key is reported as such, not as an unreachable gateway
      writeFileSync(join(dir, 'masterKey'), 'sk-wrong-master-key-00000000');
      await waitFor(() => reconciler.status().state === 'failing', 'the refused master key');
      expect(reconciler.status().lastError).toMatch(/refused GET \/team\/info with HTTP 401 \(is the master key/);
      writeFileSync(join(dir, 'masterKey'), masterKey);
      await waitFor(() => reconciler.status().state === 'converged', 'recovery with the right master key');
    } finally {
      await reconciler.stop();
    }
    const logged = lines.join('\n');
    expect(logged).toContain('model gateway unreachable');
    expect(logged).toContain('model gateway reachable again');
    expect(logged).not.toContain(masterKey);
    expect(logged).not.toMatch(/sk-paddock-/);
  }, 60_000);
});

describe('drift', () => {
  it('recreates a key deleted by hand in the gateway at the next resync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-gateway-drift-'));
    const key = newKey();
    writeFileSync(join(dir, 'masterKey'), masterKey);
    writeFileSync(join(dir, 'team-sigma'), key);
    const reconciler = startGatewayReconciler({ gatewayUrl: gateway.url, stack: 'test', teams: [{ name: 'sigma', models: ['gpt-fast'] }], secretDir: dir, log: createLogger({ write: () => undefined }), checkMs: 100, resyncMs: 300 });
    try {
      const has = async () => (await state()).keys[tokenOf(key)] !== undefined;
      for (let i = 0; i < 200 && !(await has()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await has()).toBe(true);
      // someone deletes the key in LiteLLM's UI
      expect((await gateway.admin('POST', '/key/delete', { keys: [tokenOf(key)] })).status).toBe(200);
      expect(await has()).toBe(false);
      for (let i = 0; i < 200 && !(await has()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await has()).toBe(true);
      expect((await callModel(key, 'gpt-fast', 'openai')).status).toBe(200);
    } finally {
      await reconciler.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('several runtime replicas', () => {
  it('converge the same gateway at once without a problem (a racing create is success)', async () => {
    const keys = new Map([['omega', newKey()]]);
    const input: ReconcileInput = { stack: 'test', teams: [{ name: 'omega', models: ['gpt-fast'] }], keys };
    const reports = await Promise.all([reconcileGateway(admin, input), reconcileGateway(admin, input), reconcileGateway(admin, input)]);
    for (const report of reports) expect(report.teams[0]!.problem).toBeUndefined();
    const s = await state();
    expect(Object.values(s.keys).filter((k) => k.team_id === 'paddock-omega').map((k) => k.token)).toEqual([tokenOf(keys.get('omega')!)]);
  });
});
