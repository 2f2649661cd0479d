/**
 * A CLI-driven adapter talking to the model through the gateway, as in a cluster: the fake
 * LiteLLM (test/support/fake-litellm) holds the team's key, registered by the real key
 * reconciler (runtime/gateway), and serves the fake model behind LiteLLM's checks. The sandbox
 * holds only that team key. A turn reports its usage; a turn refused for the team's budget ends
 * with error `budget_exceeded`; a model outside the team's list is refused by the gateway.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchHarness, type LaunchedHarness } from '../../../harnesses/conformance/launch.ts';
import { observeTurn } from '../../../harnesses/conformance/turn.ts';
import { LiteLLMAdmin } from '../../../runtime/gateway/litellm-admin.ts';
import { reconcileGateway } from '../../../runtime/gateway/reconcile.ts';
import { startFakeLiteLLM, type FakeLiteLLM } from '../../support/fake-litellm/server.ts';
import { SandboxDirs, type InstalledCli } from './cli-sandbox.ts';

export interface GatewayCase {
  readonly harness: 'claude-code' | 'codex';
  readonly cli: InstalledCli;
  /** the sandbox env for this harness: gateway URL, team key, model and directories */
  env(gatewayUrl: string, key: string, model: string, dirs: { home: string; workspace: string }): Record<string, string | undefined>;
  /** env that makes the CLI give up on a refused request at once instead of retrying it */
  readonly noRetryEnv: Readonly<Record<string, string>>;
}

/** the team's model, and another team's */
const TEAM_MODEL = 'paddock-fake';
const OTHER_MODEL = 'other-team-model';

export function describeGatewayPath(c: GatewayCase): void {
  describe(`${c.harness} adapter through the gateway (${c.cli.version})`, () => {
    const masterKey = `sk-master-${randomBytes(12).toString('hex')}`;
    const teamKey = `sk-paddock-${randomBytes(18).toString('base64url')}`;
    const limitedKey = `sk-paddock-${randomBytes(18).toString('base64url')}`;
    const token = randomBytes(24).toString('hex');
    const dirs = new SandboxDirs();
    let gateway: FakeLiteLLM;
    let harness: LaunchedHarness;
    let wrongModel: LaunchedHarness;
    let limited: LaunchedHarness;
    const turn = (on: LaunchedHarness, input: string) => observeTurn(on.url, { sessionId: `s-${randomUUID()}`, turn: 1, input, history: [] }, { token, deadlineMs: 60_000 });

    beforeAll(async () => {
      gateway = await startFakeLiteLLM({ masterKey, models: [TEAM_MODEL, OTHER_MODEL], costPerCall: 0.25 });
      const admin = new LiteLLMAdmin({ url: gateway.url, masterKey });
      const report = await reconcileGateway(admin, { stack: 'test', teams: [{ name: 'alpha', models: [TEAM_MODEL], budget: { maxUsd: 10, period: '30d' } }, { name: 'beta', models: [OTHER_MODEL] }, { name: 'gamma', models: [TEAM_MODEL], rpm: 1 }], keys: new Map([['alpha', teamKey], ['beta', `sk-paddock-${randomBytes(18).toString('base64url')}`], ['gamma', limitedKey]]) });
      expect(report.converged).toBe(true);
      harness = await launchHarness(c.harness, { env: { ...c.env(gateway.url, teamKey, TEAM_MODEL, dirs.create(c.harness)), PADDOCK_SANDBOX_TOKEN: token } });
      wrongModel = await launchHarness(c.harness, { env: { ...c.env(gateway.url, teamKey, OTHER_MODEL, dirs.create(c.harness)), PADDOCK_SANDBOX_TOKEN: token } });
      limited = await launchHarness(c.harness, { env: { ...c.env(gateway.url, limitedKey, TEAM_MODEL, dirs.create(c.harness)), ...c.noRetryEnv, PADDOCK_SANDBOX_TOKEN: token } });
    }, 60_000);

    afterAll(async () => {
      await harness?.stop();
      await wrongModel?.stop();
      await limited?.stop();
      await gateway?.close();
      dirs.cleanup();
    });

    it('answers through the gateway with the team key and reports the turn\'s usage', async () => {
      const observed = await turn(harness, 'hello there');
      expect(observed.done?.stopReason).toBe('end_turn');
      expect(observed.text).toContain('Fake model reply to: hello there');
      expect(observed.done?.usage?.inputTokens).toBeGreaterThan(0);
      expect(observed.done?.usage?.outputTokens).toBeGreaterThan(0);
      const calls = gateway.calls.filter((call) => call.status === 200);
      expect(calls.length).toBeGreaterThan(0);
      expect(new Set(calls.map((call) => call.teamId))).toEqual(new Set(['paddock-alpha']));
    }, 90_000);

    it('ends a turn the gateway refuses for the team\'s budget with error budget_exceeded', async () => {
      gateway.store.state.teams['paddock-alpha']!.spend = 10;
      const observed = await turn(harness, 'hello again');
      const error = observed.events.map((e) => e.event).find((e) => e.type === 'error');
      expect(error).toMatchObject({ type: 'error', code: 'budget_exceeded', retryable: false, message: expect.stringContaining('Budget has been exceeded! Team=paddock-alpha') });
      expect(observed.done?.stopReason).toBe('error');
      expect(gateway.calls.some((call) => call.errorType === 'budget_exceeded')).toBe(true);
      gateway.store.state.teams['paddock-alpha']!.spend = 0;
    }, 90_000);

    it('ends a turn the gateway refuses for the team\'s rate limit with error rate_limited', async () => {
      // the team's one request per minute is used up before the turn starts
      const used = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${limitedKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: TEAM_MODEL, messages: [{ role: 'user', content: 'hi' }] }) });
      expect(used.status).toBe(200);
      const observed = await turn(limited, 'hello there');
      const error = observed.events.map((e) => e.event).find((e) => e.type === 'error');
      expect(error).toMatchObject({ type: 'error', code: 'rate_limited', retryable: true });
      expect(observed.done?.stopReason).toBe('error');
      expect(gateway.calls.some((call) => call.teamId === 'paddock-gamma' && call.status === 429)).toBe(true);
    }, 90_000);

    it('cannot use another team\'s model with its key: the gateway refuses every call, none is answered', async () => {
      const sessionId = `s-${randomUUID()}`;
      const running = observeTurn(wrongModel.url, { sessionId, turn: 1, input: 'hello there', history: [] }, { token, deadlineMs: 60_000 });
      // a CLI may retry a refused call (Claude Code takes a 401 for a bad credential); the turn
      // is ended once the gateway has refused it, and nothing may have been answered
      const refused = () => gateway.calls.some((call) => call.model === OTHER_MODEL && call.errorType === 'key_model_access_denied');
      for (let i = 0; i < 600 && !refused(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(refused()).toBe(true);
      await fetch(`${wrongModel.url}/v1/abort`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ sessionId }) });
      const observed = await running;
      expect(observed.done?.stopReason).not.toBe('end_turn');
      expect(observed.text).not.toContain('Fake model reply');
      expect(gateway.calls.some((call) => call.model === OTHER_MODEL && call.status === 200)).toBe(false);
    }, 90_000);
  });
}
