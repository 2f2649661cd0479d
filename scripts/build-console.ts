/**
 * Builds the web console (console/ → console/dist) with Vite, unless the built files already
 * come from exactly these sources: a digest of the console's sources, the shared modules it
 * bundles and the versions of Vite and Preact is kept in console/dist/.source-digest. Run by
 * `npm ci`/`npm install` (the `prepare` script) and by `paddock dev` before it starts, so a
 * fresh clone and a `git pull` both serve a current console with no extra step (ADR 0028).
 *
 *   node --import tsx scripts/build-console.ts [--if-stale] [--soft]
 *
 * --soft (the `prepare` script): a failed build is a warning, not a failed install; an install
 * must not depend on the console's sources compiling, and the test suite (build.test.ts) and
 * dev mode still say that the console is missing or stale.
 *
 * The build goes to a temporary folder that replaces console/dist in two renames, so a runtime
 * serving the old files never sees a half-written folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const CONSOLE_ROOT = join(REPO_ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');
const DIGEST_FILE = '.source-digest';
/** modules outside console/ that the bundle includes */
const SHARED_SOURCES = ['harnesses/protocol/sse.ts'];
const TOOL_PACKAGES = ['vite', 'preact'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

/** what the built files depend on; equal digests, equal builds */
export function consoleSourceDigest(root: string = REPO_ROOT): string {
  const hash = createHash('sha256');
  const files = [...filesUnder(join(root, 'console')), ...SHARED_SOURCES.map((f) => join(root, f))].map((f) => relative(root, f).split('\\').join('/')).sort();
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  for (const name of TOOL_PACKAGES) {
    const manifest = join(root, 'node_modules', name, 'package.json');
    hash.update(`${name}@${existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : 'missing'}\0`);
  }
  return hash.digest('hex');
}

export function builtDigest(dist: string = CONSOLE_DIST): string | undefined {
  try {
    if (!statSync(join(dist, 'index.html')).isFile()) return undefined;
    return readFileSync(join(dist, DIGEST_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export interface BuildOutcome {
  readonly built: boolean;
  readonly digest: string;
  readonly ms: number;
}

export async function buildConsole(options: { ifStale?: boolean; log?: (line: string) => void } = {}): Promise<BuildOutcome> {
  const started = Date.now();
  const digest = consoleSourceDigest();
  if (options.ifStale && builtDigest() === digest) return { built: false, digest, ms: Date.now() - started };
  const { build } = await import('vite');
  const temporary = join(CONSOLE_ROOT, `.dist-${process.pid}-${Date.now()}`);
  try {
    await build({ configFile: join(CONSOLE_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: temporary, emptyOutDir: true } });
    writeFileSync(join(temporary, DIGEST_FILE), `${digest}\n`);
    const old = `${temporary}-old`;
    if (existsSync(CONSOLE_DIST)) renameSync(CONSOLE_DIST, old);
    renameSync(temporary, CONSOLE_DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  const ms = Date.now() - started;
  options.log?.(`web console built in ${ms} ms (${relative(process.cwd(), CONSOLE_DIST) || CONSOLE_DIST})`);
  return { built: true, digest, ms };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const ifStale = process.argv.includes('--if-stale');
  const soft = process.argv.includes('--soft');
  buildConsole({ ifStale, log: (line) => process.stdout.write(`${line}\n`) }).then(
    (outcome) => {
      if (!outcome.built) process.stdout.write('web console: built files are current\n');
    },
    (error: unknown) => {
      process.stderr.write(`web console build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      if (soft) process.stderr.write('web console: not rebuilt (a previous build, if any, is still served; without one / says so). Fix the error and run "npm run build:console".\n');
      else process.exitCode = 1;
    },
  );
}
