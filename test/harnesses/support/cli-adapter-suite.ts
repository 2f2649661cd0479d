/**
 * Behaviour specific to the CLI-driven adapters, beyond the conformance suite, run against the
 * real CLI and the fake model: the CLI's own session is resumed (not the handed history), a
 * lost session falls back to replay, abort ends the tools the agent started, the agent never
 * sees the sandbox token, and no credential reaches a log line or an event.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchHarness, type LaunchedHarness } from '../../../harnesses/conformance/launch.ts';
import { observeTurn } from '../../../harnesses/conformance/turn.ts';
import type { HarnessEvent, TurnRequest } from '../../../harnesses/protocol/types.ts';
import { SLEEPER_PID_FILE } from '../../support/fake-model/brain.ts';
import { startFakeModelServer, type FakeModelServer } from '../../support/fake-model/server.ts';
import { SandboxDirs, type InstalledCli } from './cli-sandbox.ts';

export interface CliAdapterCase {
  readonly harness: 'claude-code' | 'codex';
  readonly cli: InstalledCli;
  /** the sandbox env for this harness given the fake model, the key and the directories */
  env(fake: FakeModelServer, apiKey: string, dirs: { home: string; workspace: string }): Record<string, string | undefined>;
  /** the directory holding the CLI's own session files, to lose them on purpose */
  cliStateDir(home: string): string;
  /** the variable that names the gateway, which the agent must see */
  readonly gatewayVar: string;
}

const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

export function describeCliAdapter(c: CliAdapterCase): void {
  describe(`${c.harness} adapter with ${c.cli.version}`, () => {
    const apiKey = `sk-test-${randomBytes(16).toString('hex')}`;
    const token = randomBytes(24).toString('hex');
    const dirs = new SandboxDirs();
    let fake: FakeModelServer;
    let harness: LaunchedHarness;
    let sandbox: { home: string; workspace: string };
    const seen: HarnessEvent[] = [];
    /** `agentSeesEnv`: a turn where the agent prints its environment (which holds the key by design) */
    const run = async (request: TurnRequest, agentSeesEnv = false) => {
      const observed = await observeTurn(harness.url, request, { token, deadlineMs: 45_000 });
      if (!agentSeesEnv) seen.push(...observed.events.map((e) => e.event));
      return observed;
    };

    beforeAll(async () => {
      fake = await startFakeModelServer({ apiKey });
      sandbox = dirs.create(c.harness);
      harness = await launchHarness(c.harness, { env: { ...c.env(fake, apiKey, sandbox), PADDOCK_SANDBOX_TOKEN: token } });
    }, 60_000);

    afterAll(async () => {
      await harness?.stop();
      await fake?.close();
      dirs.cleanup();
    });

    it('resumes the CLI\'s own session: turn 2 answers from it, not from the handed history', async () => {
      const sessionId = `s-${randomUUID()}`;
      const first = await run({ sessionId, turn: 1, input: 'Please remember the word GIRAFFE.', history: [] });
      expect(first.done?.stopReason).toBe('end_turn');
      // a history that says otherwise: only a resumed CLI session still knows GIRAFFE
      const second = await run({ sessionId, turn: 2, input: 'What word did I ask you to remember?', history: [{ role: 'user', text: 'Please remember the word ZEBRA.' }, { role: 'assistant', text: 'OK' }] });
      expect(second.events[0]?.event).toMatchObject({ type: 'status', message: expect.stringMatching(/^resuming /) });
      expect(second.text).toContain('GIRAFFE');
      expect(second.text).not.toContain('ZEBRA');
    }, 100_000);

    it('replays the handed history when the CLI lost its session files', async () => {
      const sessionId = `s-${randomUUID()}`;
      expect((await run({ sessionId, turn: 1, input: 'Please remember the word GIRAFFE.', history: [] })).done?.stopReason).toBe('end_turn');
      rmSync(c.cliStateDir(sandbox.home), { recursive: true, force: true });
      const second = await run({ sessionId, turn: 2, input: 'What word did I ask you to remember?', history: [{ role: 'user', text: 'Please remember the word ZEBRA.' }, { role: 'assistant', text: 'OK' }] });
      expect(second.events[0]?.event).toMatchObject({ type: 'status', message: expect.stringContaining('replaying 2 history messages') });
      expect(second.text).toContain('ZEBRA');
    }, 100_000);

    it('on abort ends the CLI and the command the agent was running', async () => {
      const sessionId = `s-${randomUUID()}`;
      const pidFile = join(sandbox.workspace, SLEEPER_PID_FILE);
      rmSync(pidFile, { force: true });
      const turn = run({ sessionId, turn: 1, input: '[[sleep]]', history: [] });
      for (let i = 0; i < 300 && !(existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim()); i++) await sleep(50);
      const sleeper = Number(readFileSync(pidFile, 'utf8').trim());
      expect(alive(sleeper)).toBe(true);
      const res = await fetch(`${harness.url}/v1/abort`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ sessionId }) });
      expect(res.status).toBe(202);
      expect((await turn).done?.stopReason).toBe('aborted');
      for (let i = 0; i < 100 && alive(sleeper); i++) await sleep(50);
      expect(alive(sleeper), `the agent's "sleep 300" (pid ${sleeper}) outlived the abort`).toBe(false);
    }, 60_000);

    it('lets the agent see the gateway but never the sandbox token', async () => {
      const observed = await run({ sessionId: `s-${randomUUID()}`, turn: 1, input: '[[env]]', history: [] }, true);
      const output = observed.events.map((e) => (e.event.type === 'tool_result' ? e.event.output : '')).join('');
      expect(output).toContain(`${c.gatewayVar}=`);
      expect(output).not.toContain('PADDOCK_SANDBOX_TOKEN');
      expect(output).not.toContain(token);
    }, 60_000);

    it('presents the injected key to the model gateway and never logs it or streams it', async () => {
      const modelCalls = fake.requests.filter((r) => r.api !== 'other');
      expect(modelCalls.length).toBeGreaterThan(0); // a wrong key would have been a 401 and failed the turns above
      await sleep(100);
      expect(harness.stderr()).not.toContain(apiKey);
      expect(harness.stderr()).not.toContain(token);
      // (the [[env]] turn is left out: the agent's own environment holds the key by design)
      expect(seen.length).toBeGreaterThan(10);
      expect(JSON.stringify(seen)).not.toContain(apiKey);
      expect(JSON.stringify(seen)).not.toContain(token);
    });
  });
}
