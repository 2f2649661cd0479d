/**
 * The runtime's pool against a real Postgres with TLS on, reached with the DATABASE_URL the
 * Pulumi program builds for RDS (sslmode=verify-full + sslrootcert): node-postgres must verify
 * the server's certificate against the bundle and its name against the host, and refuse
 * otherwise. The CAs and the server certificate are made here with the openssl CLI.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '../../../infra/secrets/database-url.ts';
import { createPool } from '../../../runtime/db/pool.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

let server: TestPostgres;
let dir: string;
let database: { user: string; password: string; database: string; port: number };

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA (`name`.crt/.key). */
function makeCa(name: string): string {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
  return join(dir, `${name}.crt`);
}

async function waitForSsl(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const on = (await client.query<{ ssl: string }>('SHOW ssl')).rows[0]!.ssl === 'on';
    await client.end();
    if (on) return;
    if (Date.now() > deadline) throw new Error('Postgres did not turn ssl on after the reload (see its log: key file owner or mode?)');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  server = await startTestPostgres();
  const plainUrl = await server.createDatabase();
  const parsed = new URL(plainUrl);
  database = { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password), database: parsed.pathname.slice(1), port: server.port };

  dir = mkdtempSync(join(tmpdir(), 'paddock-tls-'));
  chmodSync(dir, 0o755);
  makeCa('rds-like-ca');
  makeCa('other-ca');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'rds-like-ca.crt', '-CAkey', 'rds-like-ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', 'server.ext', '-out', 'server.crt');

  // Postgres reads the key as the OS user it runs as (postgres when the tests run as root)
  const admin = new pg.Client({ connectionString: plainUrl });
  await admin.connect();
  const backendPid = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${backendPid}/status`, 'utf8'))![1]);
  const gid = Number(/^Gid:\s+(\d+)/m.exec(readFileSync(`/proc/${backendPid}/status`, 'utf8'))![1]);
  for (const file of ['server.key', 'server.crt']) chownSync(join(dir, file), uid, gid);
  chmodSync(join(dir, 'server.key'), 0o600);
  await admin.query(`ALTER SYSTEM SET ssl_cert_file = '${join(dir, 'server.crt')}'`);
  await admin.query(`ALTER SYSTEM SET ssl_key_file = '${join(dir, 'server.key')}'`);
  await admin.query('ALTER SYSTEM SET ssl = on');
  await admin.query('SELECT pg_reload_conf()');
  await admin.end();
  await waitForSsl(plainUrl);
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function verifyFullUrl(host: string, sslrootcert: string): string {
  return databaseUrl({ host, ...database, sslmode: 'verify-full', sslrootcert });
}

async function sslInUse(url: string): Promise<boolean> {
  const pool = createPool({ connectionString: url, max: 1 });
  try {
    return (await pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]!.ssl;
  } finally {
    await pool.end();
  }
}

describe('DATABASE_URL with sslmode=verify-full, through the runtime pool', () => {
  it('connects over TLS when the server certificate chains to the bundle and names the host', async () => {
    expect(await sslInUse(verifyFullUrl('localhost', join(dir, 'rds-like-ca.crt')))).toBe(true);
  });

  it('refuses a server whose certificate does not chain to the bundle', async () => {
    await expect(sslInUse(verifyFullUrl('localhost', join(dir, 'other-ca.crt')))).rejects.toThrow(/self[- ]signed certificate|unable to verify|unable to get local issuer/i);
  });

  it('refuses a server whose certificate names another host', async () => {
    await expect(sslInUse(verifyFullUrl('127.0.0.1', join(dir, 'rds-like-ca.crt')))).rejects.toThrow(/does not match certificate's altnames|IP: 127\.0\.0\.1 is not in the cert's list/i);
  });

  it('fails at once, naming the file, when the bundle is not where the URL says', () => {
    const missing = join(dir, 'missing.pem');
    expect(() => createPool({ connectionString: verifyFullUrl('localhost', missing) })).toThrow(`DATABASE_URL: sslrootcert ${missing}: cannot read the CA bundle the server certificate is verified against (ENOENT)`);
  });
});
