/**
 * A turn whose model gateway cannot be reached ends at once with Paddock's own message naming
 * PADDOCK_MODEL_GATEWAY_URL, before the CLI runs (the real CLIs retry for minutes, then print a
 * bare network error). Driven through the claude-code and codex turn handlers, with a fake CLI
 * that records whether it ran.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeAdapterConfig } from '../../../harnesses/claude-code/adapter/claude-config.ts';
import { claudeTurnHandler } from '../../../harnesses/claude-code/adapter/claude-turn.ts';
import { gatewayConnectProblem, MODEL_GATEWAY_UNREACHABLE } from '../../../harnesses/cli-adapter/model-gateway.ts';
import { SessionStore } from '../../../harnesses/cli-adapter/session-store.ts';
import { codexAdapterConfig } from '../../../harnesses/codex/adapter/codex-config.ts';
import { codexTurnHandler } from '../../../harnesses/codex/adapter/codex-turn.ts';
import type { TurnHandler } from '../../../harnesses/protocol/server.ts';
import type { HarnessEvent } from '../../../harnesses/protocol/types.ts';

const root = mkdtempSync(join(tmpdir(), 'paddock-gateway-'));
let listening: Server;
let openUrl: string;
let closedUrl: string;
beforeAll(async () => {
  listening = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  openUrl = `http://127.0.0.1:${(listening.address() as { port: number }).port}`;
  // a port that was free a moment ago: nothing listens there
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  await new Promise((resolve) => listening.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

describe('gatewayConnectProblem', () => {
  it('is undefined when a connection opens, and says why otherwise', async () => {
    expect(await gatewayConnectProblem(openUrl)).toBeUndefined();
    expect(await gatewayConnectProblem(`${closedUrl}/v1`)).toBe(`${closedUrl.slice('http://'.length)}: ECONNREFUSED`);
    expect(await gatewayConnectProblem('http://paddock-gateway.invalid:4000')).toMatch(/^the name paddock-gateway\.invalid does not resolve here \((ENOTFOUND|EAI_AGAIN)\)$/);
    expect(await gatewayConnectProblem('not a url')).toBe('it is not a URL');
  });
});

let counter = 0;
/** A sandbox (home, workspace) and a fake CLI that only leaves a marker when it runs. */
function sandbox(): { env: Record<string, string>; cli: string; ran: () => boolean } {
  const dir = join(root, `sandbox-${++counter}`);
  mkdirSync(join(dir, 'home'), { recursive: true });
  mkdirSync(join(dir, 'workspace'));
  const marker = join(dir, 'cli-ran');
  const cli = join(dir, 'fake-cli');
  writeFileSync(cli, `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
  return { env: { HOME: join(dir, 'home'), PADDOCK_WORKSPACE: join(dir, 'workspace'), PATH: process.env.PATH ?? '/usr/bin:/bin' }, cli, ran: () => existsSync(marker) };
}

async function runTurn(handler: TurnHandler): Promise<HarnessEvent[]> {
  const events: HarnessEvent[] = [];
  for await (const event of handler({ sessionId: 's-1', turn: 1, input: 'hello', history: [] }, { signal: new AbortController().signal, log: () => undefined })) events.push(event);
  return events;
}

const cases = [
  {
    harness: 'claude-code',
    variable: 'ANTHROPIC_BASE_URL',
    handler: (env: Record<string, string>, cli: string, gateway: string) => {
      const config = claudeAdapterConfig({ ...env, PADDOCK_CLAUDE_BIN: cli, ANTHROPIC_BASE_URL: gateway });
      return claudeTurnHandler(config, new SessionStore(config.paths.stateDir), env);
    },
  },
  {
    harness: 'codex',
    variable: 'OPENAI_BASE_URL',
    handler: (env: Record<string, string>, cli: string, gateway: string) => {
      const config = codexAdapterConfig({ ...env, PADDOCK_CODEX_BIN: cli, OPENAI_BASE_URL: `${gateway}/v1` });
      return codexTurnHandler(config, new SessionStore(config.paths.stateDir), env);
    },
  },
] as const;

describe.each(cases)('the $harness adapter', ({ harness, variable, handler }) => {
  it('ends a turn at once with Paddock\'s message naming PADDOCK_MODEL_GATEWAY_URL when the gateway cannot be reached, without running the CLI', async () => {
    const { env, cli, ran } = sandbox();
    const started = Date.now();
    const events = await runTurn(handler(env, cli, closedUrl));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(events).toEqual([
      {
        type: 'error',
        code: MODEL_GATEWAY_UNREACHABLE,
        retryable: true,
        message: expect.stringMatching(new RegExp(`^${harness === 'codex' ? 'codex' : 'claude'} cannot reach the model gateway ${closedUrl}.* \\(${variable}\\): .*ECONNREFUSED\\. In dev mode, start paddock dev with PADDOCK_MODEL_GATEWAY_URL set to a gateway this machine reaches`)),
      },
      { type: 'done', stopReason: 'error' },
    ]);
    expect(ran()).toBe(false);
  });

  it('runs the CLI when the gateway answers', async () => {
    const { env, cli, ran } = sandbox();
    const events = await runTurn(handler(env, cli, openUrl));
    expect(ran()).toBe(true);
    expect(events.some((e) => e.type === 'error' && e.code === MODEL_GATEWAY_UNREACHABLE)).toBe(false);
  });
});
