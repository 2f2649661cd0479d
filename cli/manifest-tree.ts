/**
 * Writing and checking manifests/<stack>/ (I/O edge). A stack's tree is replaced atomically:
 * written beside the old one, then swapped by rename, so a failure leaves the old tree intact.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TreeDifference {
  readonly stale: string[];
  readonly missing: string[];
  readonly extra: string[];
}

const MANAGED_FILE = /\.k8s\.yaml$/;

export function compareTree(dir: string, files: ReadonlyMap<string, string>): TreeDifference {
  const present = existsSync(dir) ? readdirSync(dir).filter((f) => MANAGED_FILE.test(f)).sort() : [];
  const stale: string[] = [];
  const missing: string[] = [];
  for (const [file, content] of files) {
    const path = join(dir, file);
    if (!existsSync(path)) missing.push(path);
    else if (readFileSync(path, 'utf8') !== content) stale.push(path);
  }
  const extra = present.filter((f) => !files.has(f)).map((f) => join(dir, f));
  return { stale, missing, extra };
}

export function isClean(diff: TreeDifference): boolean {
  return diff.stale.length + diff.missing.length + diff.extra.length === 0;
}

/** Replaces `dir` with exactly `files`; other files in `dir` (not *.k8s.yaml) are kept. */
export function writeTreeAtomically(dir: string, files: ReadonlyMap<string, string>): void {
  const parent = join(dir, '..');
  mkdirSync(parent, { recursive: true });
  const staging = `${dir}.staging-${process.pid}`;
  const previous = `${dir}.previous-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    if (existsSync(dir)) {
      for (const f of readdirSync(dir).filter((name) => !MANAGED_FILE.test(name))) writeFileSync(join(staging, f), readFileSync(join(dir, f)));
    }
    for (const [file, content] of files) writeFileSync(join(staging, file), content);
    if (existsSync(dir)) renameSync(dir, previous);
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(dir) && existsSync(previous)) renameSync(previous, dir);
    throw error;
  }
  rmSync(previous, { recursive: true, force: true });
}

/** Directories under `outDir` holding rendered files of a stack not in `stacks`. */
export function orphanStackDirs(outDir: string, stacks: ReadonlySet<string>): string[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !stacks.has(e.name) && !e.name.includes('.staging-') && !e.name.includes('.previous-'))
    .map((e) => join(outDir, e.name))
    .filter((dir) => readdirSync(dir).some((f) => MANAGED_FILE.test(f)))
    .sort();
}

/** Removes a stack's rendered files, and the directory when nothing else is left in it. */
export function removeRenderedTree(dir: string): void {
  for (const f of readdirSync(dir).filter((name) => MANAGED_FILE.test(name))) rmSync(join(dir, f));
  if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
}
