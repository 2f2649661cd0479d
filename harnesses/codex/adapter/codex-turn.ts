/**
 * The Codex turn handler: resume the thread this sandbox ran for the session (`codex exec
 * resume`) or start one, replaying the handed history; run codex in the workspace and stream
 * its mapped events. The thread id is only known once codex prints `thread.started`, so it is
 * recorded then.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv } from '../../cli-adapter/cli-env.ts';
import { describeContinuity, planContinuity } from '../../cli-adapter/continuity.ts';
import { modelGatewayPreflight } from '../../cli-adapter/model-gateway.ts';
import { runCli } from '../../cli-adapter/run-cli.ts';
import type { SessionStore } from '../../cli-adapter/session-store.ts';
import type { TurnHandler } from '../../protocol/server.ts';
import { codexArgs } from './codex-args.ts';
import type { CodexAdapterConfig } from './codex-config.ts';
import { CodexStreamMapper } from './stream-mapper.ts';

/** Codex keeps a rollout per thread at $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread>.jsonl. */
export function codexRolloutExists(codexHome: string, threadId: string): boolean {
  const suffix = `-${threadId}.jsonl`;
  const walk = (dir: string, depth: number): boolean => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    return entries.some((e) => (e.isDirectory() ? depth < 4 && walk(join(dir, e.name), depth + 1) : e.name.endsWith(suffix)));
  };
  return walk(join(codexHome, 'sessions'), 0);
}

export function codexTurnHandler(config: CodexAdapterConfig, store: SessionStore, env: NodeJS.ProcessEnv = process.env): TurnHandler {
  return async function* codexTurn(turn, { signal, log }) {
    const unreachable = await modelGatewayPreflight({ cli: 'codex', url: config.provider?.baseUrl, variable: 'OPENAI_BASE_URL' });
    if (unreachable.length > 0) return yield* unreachable;
    const plan = planContinuity(turn, store.get(turn.sessionId), (id) => codexRolloutExists(config.codexHome, id));
    yield { type: 'status', message: describeContinuity(plan, 'codex') };
    const mapper = new CodexStreamMapper();
    const events = runCli(
      {
        label: 'codex',
        command: config.command,
        args: codexArgs({
          resumeThreadId: plan.mode === 'resume' ? plan.cliSessionId : undefined,
          workspace: config.paths.workspace,
          sandbox: config.sandbox,
          model: config.model,
          provider: config.provider,
          extraArgs: config.extraArgs,
        }),
        cwd: config.paths.workspace,
        env: cliEnv(env, { CODEX_HOME: config.codexHome }),
        stdin: plan.prompt,
      },
      mapper,
      { signal, log },
    );
    let recorded = false;
    for await (const event of events) {
      if (!recorded && mapper.threadId) {
        store.set(turn.sessionId, mapper.threadId, turn.turn);
        recorded = true;
      }
      yield event;
    }
  };
}
