/**
 * The runtime child bundled the way the runtime image runs (runtime/Dockerfile: one ES module
 * built by esbuild, no tsx at run time), so start-up and recovery figures do not include
 * transpiling TypeScript. The migrations go next to it, where runtime/db/migrate.ts looks for
 * them relative to the module (`<dir>/runtime/dist/*.mjs` → `<dir>/runtime/migrations`).
 */
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export async function bundleRuntimeChild(root: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'runtime', 'dist', 'runtime-child.mjs');
  mkdirSync(join(outDir, 'runtime', 'dist'), { recursive: true });
  await bundleForNode(join(root, 'bench', 'support', 'runtime-child.ts'), outfile);
  cpSync(join(root, 'runtime', 'migrations'), join(outDir, 'runtime', 'migrations'), { recursive: true });
  return outfile;
}

/** One ES module with its dependencies inlined, built as the runtime image builds its entry. */
export async function bundleForNode(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // `require` for the CommonJS dependencies bundled into an ES module (as in the image)
    banner: { js: "import { createRequire as paddockCreateRequire } from 'node:module'; const require = paddockCreateRequire(import.meta.url);" },
    outfile,
    logLevel: 'error',
  });
}
