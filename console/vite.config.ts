/**
 * The console's build: Preact through Vite's own JSX transform (no Babel plugin), output in
 * console/dist for the runtime to serve (runtime/api/console-assets.ts). No inline script or
 * style is emitted (the CSP forbids both), and nothing is loaded from another origin.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // the CSP has no 'unsafe-inline': never inline an asset as a data: script or style
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: { fs: { allow: ['..'] } },
});
