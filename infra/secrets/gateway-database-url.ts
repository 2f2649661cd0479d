/**
 * DATABASE_URL for LiteLLM (Secret litellm-database), in the form its database client, Prisma,
 * reads. Pure. User and password are percent-encoded.
 *
 * On RDS the connection is TLS with the server verified: Prisma's `sslcert` is the CA file the
 * server's certificate must chain to (the RDS bundle, copied into the pod), and
 * `sslaccept=strict` makes any failed check (chain, host name) an error, libpq's verify-full.
 */
import { GATEWAY_DATABASE_NAME, GATEWAY_DATABASE_ROLE } from '../../config/model-gateway.ts';

export type GatewayDatabaseTls = { readonly tls: 'none' } | { readonly tls: 'verify-full'; readonly caFile: string };

export type GatewayDatabaseUrlParts = { readonly host: string; readonly port: number; readonly password: string } & GatewayDatabaseTls;

export function gatewayDatabaseUrl(parts: GatewayDatabaseUrlParts): string {
  const query = parts.tls === 'none' ? new URLSearchParams({ sslmode: 'disable' }) : new URLSearchParams({ sslmode: 'require', sslcert: parts.caFile, sslaccept: 'strict' });
  if (parts.tls === 'verify-full' && !parts.caFile.startsWith('/')) throw new Error(`gatewayDatabaseUrl: caFile must be an absolute path in the gateway container, got ${JSON.stringify(parts.caFile)}`);
  return `postgresql://${encodeURIComponent(GATEWAY_DATABASE_ROLE)}:${encodeURIComponent(parts.password)}@${parts.host}:${parts.port}/${encodeURIComponent(GATEWAY_DATABASE_NAME)}?${query.toString()}`;
}
