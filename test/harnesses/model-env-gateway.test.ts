/**
 * The model variables a stack renders into a team's SandboxTemplate (harness.yaml `modelEnv`,
 * teams[].harnesses[].model) keep the real CLIs on the team's model: every call Claude Code and
 * Codex make through the fake LiteLLM during a turn asks for the model the team's key allows.
 * Without them the CLIs ask for their own defaults and the turn is refused. (A plain turn of
 * Claude Code 2.1 in print mode makes only its main call; the background and alias variables
 * come from reading its bundle, see harnesses/claude-code/harness.yaml.)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformEnv } from '../../charts-synth/builders/sandbox-pod-template.ts';
import { launchHarness, type LaunchedHarness } from '../../harnesses/conformance/launch.ts';
import { observeTurn } from '../../harnesses/conformance/turn.ts';
import { LiteLLMAdmin } from '../../runtime/gateway/litellm-admin.ts';
import { reconcileGateway } from '../../runtime/gateway/reconcile.ts';
import { startFakeLiteLLM, type FakeLiteLLM } from '../support/fake-litellm/server.ts';
import { minimalKindConfig, team, validate } from '../support/fixtures.ts';
import { installedCli, missingCliTest, SandboxDirs, type InstalledCli } from './support/cli-sandbox.ts';

const TEAM_MODEL = 'paddock-fake';

/** The model variables (name -> value) the team chart renders for this harness of a team allowed only TEAM_MODEL. */
function renderedModelEnv(harness: 'claude-code' | 'codex'): Record<string, string> {
  const config = minimalKindConfig([team('alpha', { harnesses: [{ name: harness, warmPool: 0 }], quota: { cpu: '8', memory: '16Gi', maxSandboxes: 2 }, models: [TEAM_MODEL] })]);
  (config['paddock:platform'] as Record<string, unknown>).modelGateway = { deploy: 'litellm', models: [{ name: TEAM_MODEL, model: 'openai/gpt-5' }, { name: 'other', model: 'openai/o3' }], providerSecrets: ['OPENAI_API_KEY'] };
  const spec = validate(config);
  const t = spec.teams[0]!;
  const h = t.harnesses[0]!;
  const modelNames = new Set(h.definition.modelEnv);
  return Object.fromEntries(platformEnv(t, h, spec.platform.modelGateway).filter((e) => modelNames.has(e.name)).map((e) => [e.name, e.value!]));
}

const CASES = [
  {
    harness: 'claude-code' as const,
    cli: installedCli('claude-code', 'claude', process.env.PADDOCK_CLAUDE_BIN),
    env: (url: string, key: string, cli: InstalledCli) => ({ ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: key, PADDOCK_CLAUDE_BIN: cli.path }),
  },
  {
    harness: 'codex' as const,
    cli: installedCli('codex', 'codex', process.env.PADDOCK_CODEX_BIN),
    env: (url: string, key: string, cli: InstalledCli) => ({ OPENAI_BASE_URL: `${url}/v1`, OPENAI_API_KEY: key, PADDOCK_CODEX_BIN: cli.path, PADDOCK_CODEX_MAX_RETRIES: '0' }),
  },
];

for (const c of CASES) {
  const cli = c.cli;
  if ('missing' in cli) {
    describe(`${c.harness}: the rendered model variables through the gateway`, () => missingCliTest(cli.missing));
    continue;
  }
  describe(`${c.harness}: the rendered model variables through the gateway (${cli.version})`, () => {
    const masterKey = `sk-master-${randomBytes(12).toString('hex')}`;
    const teamKey = `sk-paddock-${randomBytes(18).toString('base64url')}`;
    const token = randomBytes(24).toString('hex');
    const dirs = new SandboxDirs();
    let gateway: FakeLiteLLM;
    let harness: LaunchedHarness;

    beforeAll(async () => {
      // the gateway serves the names a CLI would ask for by default too, so only the team key's list refuses them
      gateway = await startFakeLiteLLM({ masterKey, models: [TEAM_MODEL, 'other'] });
      const report = await reconcileGateway(new LiteLLMAdmin({ url: gateway.url, masterKey }), { stack: 'test', teams: [{ name: 'alpha', models: [TEAM_MODEL] }], keys: new Map([['alpha', teamKey]]) });
      expect(report.converged).toBe(true);
      const { home, workspace } = dirs.create(c.harness);
      const env = { PATH: process.env.PATH, HOME: home, PADDOCK_WORKSPACE: workspace, ...c.env(gateway.url, teamKey, cli), ...renderedModelEnv(c.harness), PADDOCK_SANDBOX_TOKEN: token };
      harness = await launchHarness(c.harness, { env });
    }, 60_000);

    afterAll(async () => {
      await harness?.stop();
      await gateway?.close();
      dirs.cleanup();
    });

    it('renders the team model into every model variable of the harness', () => {
      const env = renderedModelEnv(c.harness);
      expect(Object.keys(env).length).toBeGreaterThan(0);
      expect(new Set(Object.values(env))).toEqual(new Set([TEAM_MODEL]));
    });

    it('every call of a turn asks the gateway for the team model, and the turn is answered', async () => {
      const observed = await observeTurn(harness.url, { sessionId: `s-${randomUUID()}`, turn: 1, input: 'hello there', history: [] }, { token, deadlineMs: 60_000 });
      expect(observed.done?.stopReason).toBe('end_turn');
      expect(observed.text).toContain('Fake model reply to: hello there');
      // background calls may still be in flight when the turn ends
      await new Promise((r) => setTimeout(r, 1000));
      const calls = gateway.calls.filter((call) => call.token !== 'master');
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.map((call) => call.model).filter((model) => model !== TEAM_MODEL)).toEqual([]);
      expect(calls.filter((call) => call.status !== 200)).toEqual([]);
    }, 90_000);
  });
}
