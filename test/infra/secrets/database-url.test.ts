import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseUrl, inClusterDatabaseHost } from '../../../infra/secrets/database-url.ts';

/** How node-postgres (the runtime's driver) reads a connection string. */
function connection(url: string): { user?: string; password?: string; host?: string; port?: number; database?: string; ssl?: unknown } {
  return (new pg.Client({ connectionString: url }) as unknown as { connectionParameters: Record<string, never> }).connectionParameters;
}

describe('databaseUrl', () => {
  it('percent-encodes credentials so node-postgres reads them back exactly', () => {
    const password = 'p@ss:w/rd?#%';
    const parsed = connection(databaseUrl({ host: 'db.internal', port: 5432, user: 'paddock', password, database: 'paddock', sslmode: 'disable' }));
    expect(parsed).toMatchObject({ user: 'paddock', password, host: 'db.internal', port: 5432, database: 'paddock', ssl: false });
  });

  it('asks for verify-full against a CA bundle file, which node-postgres reads into ssl.ca (verification on, hostname checked)', () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'paddock-ca-')), 'bundle.pem');
    writeFileSync(bundle, '-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n');
    const url = databaseUrl({ host: 'x.rds.amazonaws.com', port: 5432, user: 'u', password: 'p', database: 'd', sslmode: 'verify-full', sslrootcert: bundle });
    expect(new URL(url).searchParams.get('sslmode')).toBe('verify-full');
    expect(new URL(url).searchParams.has('uselibpqcompat')).toBe(false);
    const ssl = connection(url).ssl as Record<string, unknown>;
    expect(ssl).toEqual({ ca: readFileSync(bundle, 'utf8') });
    expect(ssl.rejectUnauthorized).toBeUndefined(); // Node's default: verify
  });

  it('refuses a relative sslrootcert (it is a path in the runtime container)', () => {
    expect(() => databaseUrl({ host: 'h', port: 5432, user: 'u', password: 'p', database: 'd', sslmode: 'verify-full', sslrootcert: 'certs/bundle.pem' })).toThrow('databaseUrl: sslrootcert must be an absolute path in the runtime container, got "certs/bundle.pem"');
  });

  it('names the in-cluster Postgres by its Service', () => {
    expect(inClusterDatabaseHost()).toBe('paddock-postgres.paddock-system.svc.cluster.local');
  });
});
