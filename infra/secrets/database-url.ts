/**
 * DATABASE_URL values for the runtime controller (Secret paddock-database, key `url`). Pure.
 * User and password are percent-encoded, so any generated password is safe in the URL.
 */
import { PADDOCK_SYSTEM_NAMESPACE, POSTGRES_NAME, POSTGRES_PORT } from '../../config/names.ts';

export interface DatabaseUrlParts {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** libpq sslmode */
  readonly sslmode: 'disable' | 'require' | 'verify-full';
}

export function databaseUrl(parts: DatabaseUrlParts): string {
  const query = new URLSearchParams({ sslmode: parts.sslmode });
  // node-postgres reads sslmode=require as verify-full unless told to follow libpq; make it libpq's meaning
  if (parts.sslmode === 'require') query.set('uselibpqcompat', 'true');
  return `postgresql://${encodeURIComponent(parts.user)}:${encodeURIComponent(parts.password)}@${parts.host}:${parts.port}/${encodeURIComponent(parts.database)}?${query.toString()}`;
}

/** The in-cluster Postgres Service, by its cluster DNS name. */
export function inClusterDatabaseHost(): string {
  return `${POSTGRES_NAME}.${PADDOCK_SYSTEM_NAMESPACE}.svc.cluster.local`;
}

export const IN_CLUSTER_DATABASE_PORT = POSTGRES_PORT;
