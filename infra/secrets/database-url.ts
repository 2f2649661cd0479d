/**
 * DATABASE_URL values for the runtime controller (Secret paddock-database, key `url`). Pure.
 * User and password are percent-encoded, so any generated password is safe in the URL.
 */
import { PADDOCK_SYSTEM_NAMESPACE, POSTGRES_NAME, POSTGRES_PORT } from '../../config/names.ts';

/**
 * How the connection is protected: none (the in-cluster Postgres, reached only through
 * NetworkPolicy), or TLS with the server's certificate verified against `sslrootcert` (a file
 * in the runtime container) and its name against the host (libpq's verify-full, which
 * node-postgres reads the same way: `ssl.ca` from the file, Node's hostname check).
 */
export type DatabaseTls = { readonly sslmode: 'disable' } | { readonly sslmode: 'verify-full'; readonly sslrootcert: string };

export type DatabaseUrlParts = {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
} & DatabaseTls;

export function databaseUrl(parts: DatabaseUrlParts): string {
  const query = new URLSearchParams({ sslmode: parts.sslmode });
  if (parts.sslmode === 'verify-full') {
    if (!parts.sslrootcert.startsWith('/')) throw new Error(`databaseUrl: sslrootcert must be an absolute path in the runtime container, got ${JSON.stringify(parts.sslrootcert)}`);
    query.set('sslrootcert', parts.sslrootcert);
  }
  return `postgresql://${encodeURIComponent(parts.user)}:${encodeURIComponent(parts.password)}@${parts.host}:${parts.port}/${encodeURIComponent(parts.database)}?${query.toString()}`;
}

/** The in-cluster Postgres Service, by its cluster DNS name. */
export function inClusterDatabaseHost(): string {
  return `${POSTGRES_NAME}.${PADDOCK_SYSTEM_NAMESPACE}.svc.cluster.local`;
}

export const IN_CLUSTER_DATABASE_PORT = POSTGRES_PORT;
