/**
 * The console is built by install (`prepare`) and is current: the files the runtime serves come
 * from the sources as they are, load nothing from another origin, run no inline script, and the
 * console's own code never hands agent output to the DOM as HTML.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtDigest, CONSOLE_DIST, CONSOLE_ROOT, consoleSourceDigest } from '../../scripts/build-console.ts';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

describe('the built console', () => {
  it('is built by npm ci / npm install and by dev mode', () => {
    expect(pkg.scripts.prepare).toBe('node --import tsx scripts/build-console.ts --if-stale --soft');
    expect(readFileSync('cli/dev.ts', 'utf8')).toMatch(/buildConsole\(\{ ifStale: true/);
  });

  it('is present and built from the current sources (else run: npm run build:console)', () => {
    expect(builtDigest(), `no built console in ${CONSOLE_DIST}: run "npm run build:console"`).toBeDefined();
    expect(builtDigest(), 'console/dist is older than its sources: run "npm run build:console"').toBe(consoleSourceDigest());
  });

  it('loads only its own hashed files: no inline script or style, no third-party request', () => {
    const index = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
    const scripts = [...index.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/assets\/[\w.-]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(index).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect(index).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
    const assets = readdirSync(join(CONSOLE_DIST, 'assets'));
    for (const css of assets.filter((f) => f.endsWith('.css'))) expect(readFileSync(join(CONSOLE_DIST, 'assets', css), 'utf8')).not.toMatch(/@import|url\(\s*['"]?(?:https?:)?\/\//i);
  });

  it('renders agent output as text: no HTML sinks in the console sources', () => {
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
    })(join(CONSOLE_ROOT, 'src'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/dangerouslySetInnerHTML|innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/);
  });
});
