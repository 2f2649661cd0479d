/**
 * Which executable an adapter runs: an explicit path (e.g. PADDOCK_CLAUDE_BIN), else the copy
 * installed next to the adapter by scripts/install-harness-clis.sh
 * (harnesses/<name>/node_modules/.bin), else the name on PATH (the image puts its pinned CLI there).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function resolveCli(options: { readonly explicit: string | undefined; readonly harnessDir: string; readonly name: string }): string {
  if (options.explicit) return options.explicit;
  const local = join(options.harnessDir, 'node_modules', '.bin', options.name);
  return existsSync(local) ? local : options.name;
}
