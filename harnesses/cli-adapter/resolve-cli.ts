/**
 * Which executable an adapter runs: an explicit path (e.g. PADDOCK_CLAUDE_BIN), else the copy
 * installed next to the adapter by scripts/install-harness-clis.sh
 * (harnesses/<name>/node_modules/.bin), else the name on PATH (the image puts its pinned CLI there).
 * Dev mode's local driver asks the same question (installedCli) before it starts an adapter.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** The CLI scripts/install-harness-clis.sh installed for the harness in `harnessDir`, if any. */
export function installedCli(harnessDir: string, name: string): string | undefined {
  const local = join(harnessDir, 'node_modules', '.bin', name);
  try {
    accessSync(local, constants.X_OK);
    return local;
  } catch {
    return undefined;
  }
}

export function resolveCli(options: { readonly explicit: string | undefined; readonly harnessDir: string; readonly name: string }): string {
  if (options.explicit) return options.explicit;
  return installedCli(options.harnessDir, options.name) ?? options.name;
}
