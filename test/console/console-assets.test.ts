/**
 * The runtime's console route (runtime/api/console-assets.ts) over real HTTP: security headers
 * on every answer, content types, caching, client routes, 404s, and no way out of the build
 * directory whatever the path says.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CONTENT_SECURITY_POLICY, CONSOLE_PATH, createConsoleAssets } from '../../runtime/api/console-assets.ts';
import { tempDir } from '../runtime/support/runtime.ts';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** a raw request: the path goes out exactly as written (fetch would normalise "..") */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function serve(dir: string): Promise<{ server: Server; port: number }> {
  const assets = createConsoleAssets(dir);
  const server = createServer((req, res) => assets.handle(req, res, new URL(req.url ?? '/', 'http://console.invalid')));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="app"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;
const SECRET = 'the secret outside the build directory';

let root: string;
let dist: string;
let port: number;
let server: Server;

beforeAll(async () => {
  root = tempDir('console-assets');
  dist = join(root, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'index-AbC123.js'), SCRIPT);
  writeFileSync(join(dist, 'assets', 'index-Xy9.css'), 'body{color:red}');
  writeFileSync(join(dist, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  writeFileSync(join(dist, '.source-digest'), 'abc\n');
  writeFileSync(join(root, 'secret.txt'), SECRET);
  writeFileSync(join(root, 'package.json'), SECRET);
  ({ server, port } = await serve(dist));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

function expectSecurityHeaders(answer: Answer): void {
  expect(answer.headers['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
  expect(answer.headers['x-frame-options']).toBe('DENY');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['referrer-policy']).toBe('no-referrer');
}

describe('the console route', () => {
  it('serves index.html at / with the strict policy and no caching without revalidation', async () => {
    const answer = await get(port, '/');
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe(INDEX);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expectSecurityHeaders(answer);
    // no inline script or style, nothing third-party, no framing, no form posts
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'", "require-trusted-types-for 'script'", "trusted-types 'none'"]) {
      expect(CONSOLE_CONTENT_SECURITY_POLICY.split('; ')).toContain(directive);
    }
    expect(CONSOLE_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('answers client routes (a session, the admin pages) with index.html', async () => {
    for (const path of ['/sessions/3f1c2a7e-1d2b-4c5d-8e9f-0a1b2c3d4e5f', '/admin', '/usage', '/no/such/page']) {
      const answer = await get(port, path);
      expect(answer.status, path).toBe(200);
      expect(answer.body.toString(), path).toBe(INDEX);
      expectSecurityHeaders(answer);
    }
  });

  it('serves hashed assets with their type and a year of immutable caching', async () => {
    const script = await get(port, '/assets/index-AbC123.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body.toString()).toBe(SCRIPT);
    expectSecurityHeaders(script);
    const style = await get(port, '/assets/index-Xy9.css');
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    const robots = await get(port, '/robots.txt');
    expect([robots.headers['content-type'], robots.headers['cache-control']]).toEqual(['text/plain; charset=utf-8', 'no-cache']);
  });

  it('gzips what is worth it when the client accepts it, and revalidates with the ETag', async () => {
    const zipped = await get(port, '/assets/index-AbC123.js', { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.length).toBeLessThan(SCRIPT.length);
    expect(gunzipSync(zipped.body).toString()).toBe(SCRIPT);
    const etag = String(zipped.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const again = await get(port, '/assets/index-AbC123.js', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expectSecurityHeaders(again);
  });

  it('answers 404, with the same headers, for a file that is not there', async () => {
    for (const path of ['/assets/index-missing.js', '/assets/no-extension', '/favicon.ico', '/.source-digest', '/assets/']) {
      const answer = await get(port, path);
      expect(answer.status, path).toBe(404);
      expect(answer.headers['content-type'], path).toBe('text/plain; charset=utf-8');
      expectSecurityHeaders(answer);
    }
  });

  it('never reaches a file outside the build directory, however the path is written', async () => {
    const paths = ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/package.json', '/..%5csecret.txt', '/%2e%2e%2fpackage.json', '/assets/../../secret.txt', '//etc/passwd', '/%00', '/assets/%ZZ'];
    for (const path of paths) {
      const answer = await get(port, path);
      expect(answer.body.toString(), path).not.toContain(SECRET);
      expect(answer.body.toString(), path).not.toContain('root:');
      expect([200, 400, 404], path).toContain(answer.status);
      // a 200 can only be the app shell (a client route)
      if (answer.status === 200) expect(answer.body.toString(), path).toBe(INDEX);
    }
  });

  it('picks up a rebuild (a new index.html) without a restart', async () => {
    const { server: other, port: otherPort } = await serve(dist);
    try {
      expect((await get(otherPort, '/')).body.toString()).toBe(INDEX);
      const rebuilt = INDEX.replace('index-AbC123', 'index-New456');
      writeFileSync(join(dist, 'assets', 'index-New456.js'), 'console.log(2)');
      writeFileSync(join(dist, 'index.html'), rebuilt);
      expect((await get(otherPort, '/')).body.toString()).toBe(rebuilt);
      expect((await get(otherPort, '/assets/index-New456.js')).status).toBe(200);
      writeFileSync(join(dist, 'index.html'), INDEX);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('says so when the console is not built', async () => {
    const { server: bare, port: barePort } = await serve(join(root, 'no-dist'));
    try {
      const answer = await get(barePort, '/');
      expect(answer.status).toBe(503);
      expect(answer.body.toString()).toMatch(/The web console is not built here .*npm run build:console/);
      expectSecurityHeaders(answer);
    } finally {
      await new Promise((resolve) => bare.close(resolve));
    }
  });
});

describe('CONSOLE_PATH', () => {
  it('leaves the API and the probes to their routes', () => {
    for (const path of ['/v1', '/v1/sessions', '/healthz', '/readyz', '/metrics']) expect(CONSOLE_PATH.test(path), path).toBe(false);
    for (const path of ['/', '/sessions/x', '/assets/a.js', '/v1x', '/metrics/more', '/healthzz']) expect(CONSOLE_PATH.test(path), path).toBe(true);
  });
});
