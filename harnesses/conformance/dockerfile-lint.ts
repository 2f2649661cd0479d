/**
 * A small, strict Dockerfile linter for harness images (there is no Docker engine or hadolint
 * here, so the rules an image must keep are checked from the text). Pure: text and the harness
 * definition in, problems out. The rules, each a line of the result when broken:
 *
 * - every base image is pinned (an exact x.y.z tag or a sha256 digest), never `latest`, and no
 *   FROM depends on a build ARG;
 * - no ADD (it fetches URLs and unpacks archives implicitly): COPY only; no `curl | sh`;
 * - `npm ci` (the lockfile), never `npm install`; apt installs are `-y --no-install-recommends`
 *   and clear /var/lib/apt/lists in the same layer;
 * - the final stage runs as the definition's numeric uid:gid (never root), declares no
 *   HEALTHCHECK (the kubelet probes /healthz), EXPOSEs the definition's port, works in its
 *   workspace, sets HOME to its writable home mount, starts with exactly the definition's
 *   command (exec form), and labels the version its image tag names;
 * - COPY --from names an earlier stage; other COPY sources exist in the build context and are
 *   not excluded by the Dockerfile's own .dockerignore.
 */
import type { HarnessDefinition } from '../../config/harness-definition.ts';

export interface Instruction {
  /** upper-case keyword */
  readonly keyword: string;
  /** everything after the keyword, continuation lines joined */
  readonly args: string;
  /** 1-based line where it starts */
  readonly line: number;
}

/** Instructions with continuation lines joined; comments, parser directives and blank lines dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  let current: { parts: string[]; line: number } | undefined;
  for (const [index, raw] of lines.entries()) {
    const trimmed = raw.trim();
    if (current === undefined && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (current !== undefined && trimmed.startsWith('#')) continue; // comments inside continuations
    const continued = /\\\s*$/.test(raw);
    const body = continued ? raw.replace(/\\\s*$/, '') : raw;
    if (current === undefined) current = { parts: [], line: index + 1 };
    current.parts.push(body.trim());
    if (!continued) {
      const joined = current.parts.filter((p) => p !== '').join(' ');
      const match = /^(\S+)\s*(.*)$/.exec(joined);
      if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: current.line });
      current = undefined;
    }
  }
  return instructions;
}

/** JSON (exec) form arguments, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? (parsed as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Splits `--flag=value a b` style arguments (no quoting in the instructions we lint). */
function words(args: string): string[] {
  return args.split(/\s+/).filter(Boolean);
}

/** KEY=value pairs of ENV/LABEL (values may be double-quoted). */
export function keyValues(args: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const match of args.matchAll(/([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const value = match[2]!;
    pairs.set(match[1]!, value.startsWith('"') ? (JSON.parse(value) as string) : value);
  }
  return pairs;
}

const PINNED_TAG = /:(\d+\.\d+\.\d+)([-.\w]*)$/;
const DIGEST = /@sha256:[a-f0-9]{64}$/;

/** A .dockerignore as a predicate: is this context path sent to the builder? */
export function dockerignoreAllows(patterns: readonly string[]): (path: string) => boolean {
  const rules = patterns
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('#'))
    .map((p) => {
      const negate = p.startsWith('!');
      const glob = (negate ? p.slice(1) : p).replace(/^\/+|\/+$/g, '');
      const source = glob
        .split('/')
        .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/');
      return { negate, regex: new RegExp(`^${source.replace(/\.\*\//g, '(?:.*/)?')}$`) };
    });
  return (path) => {
    const parts = path.replace(/\/+$/, '').split('/');
    let included = true;
    for (const rule of rules) {
      // a pattern matching a parent directory matches everything below it
      const hit = parts.some((_, i) => rule.regex.test(parts.slice(0, i + 1).join('/')));
      if (hit) included = rule.negate;
    }
    return included;
  };
}

export interface LintContext {
  readonly definition: HarnessDefinition;
  /** does this path (relative to the build context) exist? */
  readonly exists: (path: string) => boolean;
  /** the lines of <Dockerfile>.dockerignore, when there is one */
  readonly dockerignore?: readonly string[];
}

export function lintDockerfile(text: string, context: LintContext): string[] {
  const problems: string[] = [];
  const at = (i: Instruction, message: string) => problems.push(`line ${i.line} (${i.keyword}): ${message}`);
  const instructions = parseDockerfile(text);
  const d = context.definition;
  const allowed = context.dockerignore ? dockerignoreAllows(context.dockerignore) : () => true;

  const stages: { name: string | undefined; start: number }[] = [];
  for (const [index, i] of instructions.entries()) {
    if (i.keyword === 'FROM') {
      const [image, as, name] = words(i.args).filter((w) => !w.startsWith('--platform'));
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, start: index });
      if (!image) at(i, 'FROM names no image');
      else if (image.includes('$')) at(i, `the base image "${image}" depends on a build ARG: write the pinned reference itself`);
      else if (!stages.slice(0, -1).some((s) => s.name === image)) {
        if (/:latest(@|$)/.test(image)) at(i, `the base image "${image}" uses the mutable tag "latest"`);
        else if (!PINNED_TAG.test(image.split('@')[0]!) && !DIGEST.test(image)) at(i, `the base image "${image}" is not pinned: use an exact version tag (x.y.z) or a sha256 digest`);
      }
    }
    if (i.keyword === 'ADD') at(i, /https?:\/\//.test(i.args) ? 'ADD fetches a URL at build time: download in a verified step or vendor the file, then COPY it' : 'use COPY (ADD unpacks archives and fetches URLs implicitly)');
    if (i.keyword === 'RUN') {
      if (/\bnpm (install|i)\b/.test(i.args)) at(i, 'use `npm ci` with the committed lockfile, not `npm install`');
      if (/\b(curl|wget)\b[^|;&]*\|\s*(ba)?sh\b/.test(i.args)) at(i, 'piping a download into a shell runs unverified code');
      if (/\bsudo\b/.test(i.args)) at(i, 'sudo has no place in an image build');
      if (/chmod\s+(-R\s+)?0?777\b/.test(i.args)) at(i, 'chmod 777 makes files writable by everyone');
      if (/apt-get\s+install/.test(i.args)) {
        if (!/--no-install-recommends/.test(i.args)) at(i, 'apt-get install without --no-install-recommends');
        if (!/\s-y\b|--yes|--assume-yes/.test(i.args)) at(i, 'apt-get install without -y');
        if (!/rm -rf \/var\/lib\/apt\/lists/.test(i.args)) at(i, 'clear /var/lib/apt/lists in the same RUN as apt-get install');
      }
    }
    if (i.keyword === 'COPY') {
      const parts = words(i.args);
      const from = parts.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = parts.filter((w) => !w.startsWith('--'));
      if (from !== undefined) {
        if (!stages.slice(0, -1).some((s) => s.name === from)) at(i, `COPY --from=${from} names no earlier stage`);
      } else {
        for (const source of paths.slice(0, -1)) {
          if (!context.exists(source)) at(i, `the source "${source}" does not exist in the build context (the repository root)`);
          else if (!allowed(source)) at(i, `the source "${source}" is excluded by the Dockerfile's .dockerignore`);
        }
      }
    }
  }
  if (stages.length === 0) return ['the Dockerfile has no FROM'];

  const final = instructions.slice(stages.at(-1)!.start);
  const last = (keyword: string) => final.filter((i) => i.keyword === keyword).at(-1);
  const first = final[0]!;
  const user = last('USER');
  const expectedUser = `${d.user.uid}:${d.user.gid}`;
  if (!user) at(first, `the final stage sets no USER: run as ${expectedUser}`);
  else if (user.args.trim() !== expectedUser) at(user, `USER ${user.args.trim()} differs from the definition's user ${expectedUser} (numeric, so runAsNonRoot can verify it)`);
  for (const i of instructions.filter((x) => x.keyword === 'HEALTHCHECK')) at(i, 'no HEALTHCHECK: the kubelet probes the harness /healthz as harness.yaml declares');
  const exposed = final.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => words(i.args).map((w) => Number(w.split('/')[0])));
  if (!exposed.includes(d.port)) at(first, `the final stage does not EXPOSE the harness port ${d.port}`);
  const workdir = last('WORKDIR');
  if (workdir?.args.trim() !== d.workspace.mountPath) at(workdir ?? first, `the final WORKDIR must be the workspace ${d.workspace.mountPath}`);
  const home = d.writablePaths.find((w) => w.name === 'home')?.mountPath;
  const env = new Map(final.filter((i) => i.keyword === 'ENV').flatMap((i) => [...keyValues(i.args)]));
  if (home !== undefined && env.get('HOME') !== home) at(first, `ENV HOME must be the writable home mount ${home} (the root filesystem is read-only)`);
  const entrypoint = last('ENTRYPOINT');
  const cmd = last('CMD');
  for (const i of [entrypoint, cmd]) if (i && !execForm(i.args)) at(i, 'use the exec (JSON) form, so signals reach the process');
  const argv = [...(entrypoint ? (execForm(entrypoint.args) ?? []) : []), ...(cmd ? (execForm(cmd.args) ?? []) : [])];
  const expected = [...d.command, ...d.args];
  if (JSON.stringify(argv) !== JSON.stringify(expected)) at(cmd ?? entrypoint ?? first, `the image starts ${JSON.stringify(argv)} but harness.yaml runs ${JSON.stringify(expected)}`);
  const version = new Map(final.filter((i) => i.keyword === 'LABEL').flatMap((i) => [...keyValues(i.args)])).get('org.opencontainers.image.version');
  const tag = /:([^:@/]+)(@|$)/.exec(d.image)?.[1];
  if (version === undefined || version !== tag) at(first, `LABEL org.opencontainers.image.version=${JSON.stringify(version ?? null)} must equal the image tag "${tag}" in harness.yaml (${d.image})`);
  return problems;
}
