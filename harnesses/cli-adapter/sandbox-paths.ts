/**
 * Where an adapter works inside its sandbox: the workspace (the mounted volume the agent edits,
 * PADDOCK_WORKSPACE) and a private state directory on the writable HOME mount. The root
 * filesystem is read-only, so both must be writable: checked once at start, with an error that
 * names the variable to fix.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export interface SandboxPaths {
  readonly workspace: string;
  readonly home: string;
  /** the adapter's own state (session map), under HOME unless PADDOCK_STATE_DIR says otherwise */
  readonly stateDir: string;
}

export class AdapterConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdapterConfigError';
  }
}

function writableDirectory(path: string, variable: string, create: boolean): string {
  const absolute = resolve(path);
  if (create) {
    try {
      mkdirSync(absolute, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new AdapterConfigError(`${variable}: cannot create ${absolute} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it must be on a writable mount`);
    }
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(absolute).isDirectory();
  } catch {
    throw new AdapterConfigError(`${variable}: ${absolute} does not exist; it must be a writable directory (a mounted volume in a sandbox)`);
  }
  if (!isDirectory) throw new AdapterConfigError(`${variable}: ${absolute} is not a directory`);
  try {
    accessSync(absolute, constants.W_OK);
  } catch {
    throw new AdapterConfigError(`${variable}: ${absolute} is not writable by uid ${process.getuid?.() ?? '?'}; mount a writable volume there`);
  }
  return absolute;
}

export function sandboxPaths(env: NodeJS.ProcessEnv, harness: string): SandboxPaths {
  const workspaceVar = env.PADDOCK_WORKSPACE;
  if (!workspaceVar) throw new AdapterConfigError('PADDOCK_WORKSPACE is not set: it names the workspace directory the agent works in (the sandbox volume)');
  if (!isAbsolute(workspaceVar)) throw new AdapterConfigError(`PADDOCK_WORKSPACE must be an absolute path, got ${JSON.stringify(workspaceVar)}`);
  const homeVar = env.HOME;
  if (!homeVar || !isAbsolute(homeVar)) throw new AdapterConfigError('HOME must be set to an absolute, writable directory (the agent CLIs keep their sessions and caches there)');
  const workspace = writableDirectory(workspaceVar, 'PADDOCK_WORKSPACE', false);
  const home = writableDirectory(homeVar, 'HOME', true);
  const stateDir = writableDirectory(env.PADDOCK_STATE_DIR ?? join(home, '.paddock', harness), env.PADDOCK_STATE_DIR ? 'PADDOCK_STATE_DIR' : 'HOME', true);
  return { workspace, home, stateDir };
}
