/**
 * Keeps the API's token hashes in step with the mounted Secret. Kubernetes swaps a mounted
 * Secret's files in place (about a minute after the Secret changed); the runtime notices on its
 * next look and authenticates with the new hashes, so adding, rotating or revoking a token needs
 * no restart. A Secret that no longer reads cleanly is reported and ignored: the runtime keeps
 * the hashes it has rather than apply half a change or lock everyone out.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readTokenHashesDir, type TokenHashes } from './auth.ts';
import { errorMessage, type Logger } from './log.ts';

export interface TokenHashesWatcherOptions {
  readonly dir: string;
  readonly knownTeams: readonly string[];
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
  let seen = fingerprint(options.dir);
  let reportedBroken: string | undefined;
  const check = () => {
    let current: string;
    try {
      current = fingerprint(options.dir);
    } catch (error) {
      report(`cannot read ${options.dir}: ${errorMessage(error)}`);
      return;
    }
    if (current === seen) return;
    try {
      const { hashes, unknownTeams } = readTokenHashesDir(options.dir, options.knownTeams);
      seen = current;
      reportedBroken = undefined;
      options.onChange(hashes);
      options.log.info('API token hashes reloaded', { admin: hashes.admin.length, teams: hashes.teams.size, ...(unknownTeams.length > 0 ? { ignoredTeams: unknownTeams } : {}) });
    } catch (error) {
      report(errorMessage(error));
    }
  };
  const report = (problem: string) => {
    // once per distinct problem, not every interval
    if (reportedBroken === problem) return;
    reportedBroken = problem;
    options.log.error('the API token hashes changed but cannot be used; keeping the previous ones', { problem });
  };
  const timer = setInterval(check, options.intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}

/** A digest of every visible file's name and content (what readTokenHashesDir reads). */
function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    hash.update(name).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}
