/**
 * The web console's built files (console/dist, made by Vite), served by the runtime at `/` so
 * that the console shares the API's origin and tokens and needs no deployment of its own.
 *
 * Only files found in the build directory are served: the directory is read into a table at
 * the first request (and again when index.html changes, i.e. after a rebuild), and a request is
 * a lookup in that table, never a path joined onto the disk, so no URL can reach a file outside
 * it. A path with no file extension that is not a file is a client route and gets index.html.
 * Every answer carries a strict Content-Security-Policy and frame, type-sniffing and referrer
 * protection; hashed files under /assets/ are cached for a year, index.html is revalidated.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The same policy for every console answer; no inline script or style, nothing third-party. */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  // DOM XSS sinks (innerHTML, eval...) refuse strings: the console never uses them, and an
  // injected one fails loudly instead of running
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.webmanifest']);
/** Vite names every file it emits under assets/ by its content hash */
const HASHED_PREFIX = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Asset {
  readonly body: Buffer;
  readonly gzip?: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly cacheControl: string;
}

/** console/dist next to the runtime: `<repo>/console/dist` from source, `/opt/paddock/console/dist` in the image (the bundle sits at the same depth). */
export function defaultConsoleDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PADDOCK_CONSOLE_DIR || fileURLToPath(new URL('../../console/dist', import.meta.url));
}

function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      // dotfiles (the build's source digest) are the build's own business
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const urlPath = `/${relative(dir, path).split(sep).join('/')}`;
        const ext = extname(entry.name).toLowerCase();
        const body = readFileSync(path);
        const gzip = COMPRESSIBLE.has(ext) && body.length > 512 ? gzipSync(body, { level: 9 }) : undefined;
        assets.set(urlPath, {
          body,
          ...(gzip && gzip.length < body.length ? { gzip } : {}),
          contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
          cacheControl: urlPath.startsWith(HASHED_PREFIX) ? IMMUTABLE : 'no-cache',
        });
      }
    }
  };
  walk(dir);
  return assets;
}

export interface ConsoleAssets {
  /** answers a GET for a console path (anything outside /v1 and the probes) */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void;
}

/** Paths the console answers: everything but the API and the probes. */
export const CONSOLE_PATH = /^\/(?!v1(?:\/|$)|healthz$|readyz$|metrics$)/;

export function createConsoleAssets(dir: string = defaultConsoleDir()): ConsoleAssets {
  let assets: Map<string, Asset> | undefined;
  let indexStamp = '';
  const indexFile = join(dir, 'index.html');

  const current = (): Map<string, Asset> | undefined => {
    let stamp: string;
    try {
      const stat = statSync(indexFile);
      stamp = `${stat.mtimeMs}:${stat.size}`;
    } catch {
      assets = undefined;
      return undefined;
    }
    if (!assets || stamp !== indexStamp) {
      assets = readAssets(dir);
      indexStamp = stamp;
    }
    return assets;
  };

  const plain = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { ...CONSOLE_SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${text}\n`);
  };

  return {
    handle(req, res, url) {
      const table = current();
      if (!table) {
        plain(res, 503, `The web console is not built here (no ${indexFile}). Run "npm run build:console", or use the HTTP API under /v1.`);
        return;
      }
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        plain(res, 400, 'The path is not valid percent-encoding.');
        return;
      }
      let asset = table.get(path);
      // a client route (/sessions/<id>, /admin; no dot in its last segment): the app decides
      // what it shows; a missing file (a dot there) or asset is a 404, not the app
      if (!asset && !path.startsWith(HASHED_PREFIX) && !/\.[^/]*$/.test(path)) asset = table.get('/index.html');
      if (!asset) {
        plain(res, 404, `No console file ${url.pathname}.`);
        return;
      }
      const headers: Record<string, string> = { ...CONSOLE_SECURITY_HEADERS, 'content-type': asset.contentType, 'cache-control': asset.cacheControl, etag: asset.etag, vary: 'accept-encoding' };
      if (req.headers['if-none-match'] === asset.etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) ? asset.gzip : undefined;
      const body = gzip ?? asset.body;
      res.writeHead(200, { ...headers, ...(gzip ? { 'content-encoding': 'gzip' } : {}), 'content-length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
