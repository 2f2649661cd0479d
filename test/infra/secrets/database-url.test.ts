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

  it('asks node-postgres for libpq\'s "require": encrypted, as RDS forces', () => {
    expect(connection(databaseUrl({ host: 'x.rds.amazonaws.com', port: 5432, user: 'u', password: 'p', database: 'd', sslmode: 'require' })).ssl).toEqual({ rejectUnauthorized: false });
  });

  it('names the in-cluster Postgres by its Service', () => {
    expect(inClusterDatabaseHost()).toBe('paddock-postgres.paddock-system.svc.cluster.local');
  });
});
