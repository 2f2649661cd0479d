/**
 * `paddock synth`: validates every stack, synthesises, runs the policy module and writes
 * manifests/<stack>/ — or, with --check, writes nothing and names every stale, missing or
 * extra file. Any config or policy error: exit 1, nothing written.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, formatProblem } from '../config/errors.ts';
import { listStackFiles, loadPlatformSpec, stackNameOf } from '../config/stack-file.ts';
import { checkVersions } from '../config/versions/version-check.ts';
import { buildStackOutput, StackPolicyError, type StackOutput } from '../charts-synth/stack-output.ts';
import { loadHarnessRegistry } from '../harnesses/registry.ts';
import { compareTree, isClean, orphanStackDirs, removeRenderedTree, writeTreeAtomically } from './manifest-tree.ts';
import { today, type CliIo } from './io.ts';

export const SYNTH_USAGE = `Usage: paddock synth [--stack NAME]... [--stacks-dir DIR] [--out DIR] [--check]

Renders every stack in the stacks directory (default: stacks) to <out>/<stack>/ (default
out: manifests), one file per chart. --check writes nothing and exits 1 when the committed
files differ from a fresh synth. The EKS Kubernetes and RDS engine versions are checked
against config/versions/ on the day it runs: a warning past standard support, exit 1 (nothing
written) past extended support or for a version without data.`;

export async function runSynth(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        stack: { type: 'string', multiple: true },
        'stacks-dir': { type: 'string', default: 'stacks' },
        out: { type: 'string', default: 'manifests' },
        check: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    io.stderr(`paddock synth: ${(error as Error).message}\n\n${SYNTH_USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    io.stdout(`${SYNTH_USAGE}\n`);
    return 0;
  }
  const stacksDir = resolve(io.cwd, args.values['stacks-dir']);
  const outDir = resolve(io.cwd, args.values.out);
  if (!existsSync(stacksDir)) {
    io.stderr(`paddock synth: stacks directory ${args.values['stacks-dir']} does not exist\n`);
    return 1;
  }
  let files = listStackFiles(stacksDir);
  const wanted = args.values.stack;
  if (wanted && wanted.length > 0) {
    const unknown = wanted.filter((s) => !files.some((f) => stackNameOf(f) === s));
    if (unknown.length > 0) {
      io.stderr(unknown.map((s) => `paddock synth: no stack "${s}" (expected ${join(args.values['stacks-dir'], `Pulumi.${s}.yaml`)})\n`).join(''));
      return 1;
    }
    files = files.filter((f) => wanted.includes(stackNameOf(f) ?? ''));
  }
  if (files.length === 0) {
    io.stderr(`paddock synth: no Pulumi.<stack>.yaml files in ${args.values['stacks-dir']}\n`);
    return 1;
  }

  // Validate and build every stack before writing anything.
  const outputs: StackOutput[] = [];
  const errors: string[] = [];
  let registry;
  try {
    registry = loadHarnessRegistry();
  } catch (error) {
    io.stderr(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    return 1;
  }
  // Versions are checked against the data in config/versions/ on the day synth runs (the output never depends on it).
  const day = today(io);
  const warnings: string[] = [];
  for (const file of files) {
    try {
      const spec = loadPlatformSpec(file, registry);
      const versions = checkVersions(spec.platform, day);
      warnings.push(...versions.warnings.map((p) => `warning: ${formatProblem(io.relative(file), p)}`));
      if (versions.errors.length > 0) {
        errors.push(...versions.errors.map((p) => formatProblem(io.relative(file), p)));
        continue;
      }
      outputs.push(buildStackOutput(spec));
    } catch (error) {
      if (error instanceof ConfigError || error instanceof StackPolicyError) errors.push(error.message);
      else errors.push(`${file}: ${(error as Error).message}`);
    }
  }
  if (warnings.length > 0) io.stderr(`${warnings.join('\n')}\n`);
  if (errors.length > 0) {
    io.stderr(`${errors.join('\n')}\n\npaddock synth: nothing written.\n`);
    return 1;
  }

  // Rendered trees of stacks that no longer exist (only when every stack was rendered).
  const orphans = wanted && wanted.length > 0 ? [] : orphanStackDirs(outDir, new Set(outputs.map((o) => o.stack)));

  if (args.values.check) {
    const problems: string[] = orphans.map((dir) => `extra: ${io.relative(dir)}/ (no stacks/Pulumi.${basename(dir)}.yaml)`);
    for (const output of outputs) {
      const diff = compareTree(join(outDir, output.stack), output.files);
      problems.push(...diff.stale.map((p) => `stale: ${io.relative(p)}`), ...diff.missing.map((p) => `missing: ${io.relative(p)}`), ...diff.extra.map((p) => `extra: ${io.relative(p)}`));
    }
    if (problems.length > 0) {
      io.stderr(`${problems.join('\n')}\n\npaddock synth --check: the committed manifests differ from a fresh synth; run \`npm run synth\` and commit the result.\n`);
      return 1;
    }
    io.stdout(`paddock synth --check: ${outputs.length} stack(s) up to date.\n`);
    return 0;
  }

  for (const dir of orphans) {
    removeRenderedTree(dir);
    io.stdout(`${basename(dir)}: removed ${io.relative(dir)}/ (the stack file is gone)\n`);
  }
  for (const output of outputs) {
    const dir = join(outDir, output.stack);
    const diff = compareTree(dir, output.files);
    if (isClean(diff)) {
      io.stdout(`${output.stack}: ${output.files.size} file(s) unchanged\n`);
      continue;
    }
    writeTreeAtomically(dir, output.files);
    const objects = output.charts.reduce((n, c) => n + c.objects.length, 0);
    io.stdout(`${output.stack}: wrote ${io.relative(dir)}/ (${output.files.size} files, ${objects} objects; ${diff.stale.length} changed, ${diff.missing.length} added, ${diff.extra.length} removed)\n`);
  }
  return 0;
}
