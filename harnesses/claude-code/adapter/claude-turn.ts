/**
 * The Claude Code turn handler: decides resume vs replay, runs `claude` in the workspace with
 * the sandbox env, and streams its mapped events (harnesses/protocol/server.ts does the rest).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv } from '../../cli-adapter/cli-env.ts';
import { describeContinuity, planContinuity } from '../../cli-adapter/continuity.ts';
import { modelGatewayPreflight } from '../../cli-adapter/model-gateway.ts';
import { runCli } from '../../cli-adapter/run-cli.ts';
import type { SessionStore } from '../../cli-adapter/session-store.ts';
import type { TurnHandler } from '../../protocol/server.ts';
import { claudeArgs } from './claude-args.ts';
import type { ClaudeAdapterConfig } from './claude-config.ts';
import { ClaudeStreamMapper } from './stream-mapper.ts';

/** Claude Code keeps a transcript per session at <config dir>/projects/<cwd slug>/<id>.jsonl. */
export function claudeTranscriptExists(claudeConfigDir: string, cliSessionId: string): boolean {
  const projects = join(claudeConfigDir, 'projects');
  try {
    return readdirSync(projects).some((dir) => existsSync(join(projects, dir, `${cliSessionId}.jsonl`)));
  } catch {
    return false;
  }
}

/** Env for the CLI: no auto-update or telemetry traffic (sandboxes reach only the gateway). */
export function claudeEnv(config: ClaudeAdapterConfig, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return cliEnv(env, {
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    // the sandbox pod is the isolation boundary; Claude Code refuses bypassPermissions as root
    // unless told it runs in a deliberate sandbox
    ...(config.permissionMode === 'bypassPermissions' ? { IS_SANDBOX: '1' } : {}),
  });
}

export function claudeTurnHandler(config: ClaudeAdapterConfig, store: SessionStore, env: NodeJS.ProcessEnv = process.env): TurnHandler {
  return async function* claudeTurn(turn, { signal, log }) {
    const unreachable = await modelGatewayPreflight({ cli: 'claude', url: config.gatewayUrl, variable: 'ANTHROPIC_BASE_URL' });
    if (unreachable.length > 0) return yield* unreachable;
    const plan = planContinuity(turn, store.get(turn.sessionId), (id) => claudeTranscriptExists(config.claudeConfigDir, id));
    const session = plan.mode === 'resume' ? { mode: 'resume' as const, id: plan.cliSessionId } : { mode: 'new' as const, id: randomUUID() };
    yield { type: 'status', message: describeContinuity(plan, 'claude') };
    store.set(turn.sessionId, session.id, turn.turn);
    const mapper = new ClaudeStreamMapper();
    yield* runCli(
      {
        label: 'claude',
        command: config.command,
        args: claudeArgs({ session, permissionMode: config.permissionMode, model: config.model, extraArgs: config.extraArgs }),
        cwd: config.paths.workspace,
        env: claudeEnv(config, env),
        stdin: plan.prompt,
      },
      mapper,
      { signal, log },
    );
  };
}
