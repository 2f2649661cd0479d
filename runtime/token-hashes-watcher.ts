/**
 * Keeps the API's token hashes in step with the mounted Secret. Kubernetes swaps a mounted
 * Secret's files in place (about a minute after the Secret changed); the runtime notices on its
 * next look and authenticates with the new hashes, so adding, rotating or revoking a token needs
 * no restart. A Secret that no longer reads cleanly is reported and ignored: the runtime keeps
 * the hashes it has rather than apply half a change or lock everyone out.
 */
import { compareText } from '../config/compare.ts';
import { readTokenHashesDir, type TokenHashes } from './auth.ts';
import { errorMessage, type Logger } from './log.ts';

export interface TokenHashesWatcherOptions {
  readonly dir: string;
  readonly knownTeams: readonly string[];
  /** the hashes the runtime started with (read by the caller): a change is relative to these */
  readonly initial: TokenHashes;
  readonly intervalMs: number;
  readonly onChange: (hashes: TokenHashes) => void;
  readonly log: Logger;
}

export interface TokenHashesWatcher {
  /** looks once now (also what the timer does) */
  check(): void;
  stop(): void;
}

export function watchTokenHashes(options: TokenHashesWatcherOptions): TokenHashesWatcher {
  let seen = canonical(options.initial);
  let reportedProblem: string | undefined;
  const check = () => {
    let read: ReturnType<typeof readTokenHashesDir>;
    try {
      read = readTokenHashesDir(options.dir, options.knownTeams);
    } catch (error) {
      // once per distinct problem, not every interval
      const problem = errorMessage(error);
      if (reportedProblem !== problem) options.log.error('the API token hashes changed but cannot be used; keeping the previous ones', { problem });
      reportedProblem = problem;
      return;
    }
    reportedProblem = undefined;
    const current = canonical(read.hashes);
    if (current === seen) return;
    seen = current;
    options.onChange(read.hashes);
    options.log.info('API token hashes reloaded', { admin: read.hashes.admin.length, teams: read.hashes.teams.size, ...(read.unknownTeams.length > 0 ? { ignoredTeams: read.unknownTeams } : {}) });
  };
  const timer = setInterval(check, options.intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}

/** The hashes in a form that compares equal exactly when they authenticate the same tokens. */
function canonical(hashes: TokenHashes): string {
  const teams = [...hashes.teams].map(([team, list]) => [team, [...list].sort()] as const).sort(([a], [b]) => compareText(a, b));
  return JSON.stringify({ admin: [...hashes.admin].sort(), teams });
}
