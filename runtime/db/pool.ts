/**
 * The runtime's connection pool, and how database failures are told apart: an unreachable or
 * restarting database is "unavailable" (the API answers 503 + Retry-After and everything
 * recovers by itself once it is back); anything else is a bug or a constraint violation.
 */
import { accessSync, constants } from 'node:fs';
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface PoolOptions {
  readonly connectionString: string;
  readonly max?: number;
  /**
   * commit without waiting for the WAL flush: only for writes whose loss in a database crash
   * is harmless (turn claims and lease renewals: a lost claim leaves the turn queued, a lost
   * renewal lets the lease expire earlier)
   */
  readonly asyncCommit?: boolean;
  /** called for errors on idle connections (e.g. the server restarted) */
  readonly onError?: (error: Error) => void;
}

// int8 (seq) and counts fit in a JS number for any realistic session
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/**
 * A DATABASE_URL naming a CA bundle (sslrootcert, verify-full on RDS) whose file is not there
 * would fail every connection later with a bare ENOENT: say so now, naming the file.
 */
function checkRootCert(connectionString: string): void {
  let rootCert: string | null;
  try {
    rootCert = new URL(connectionString).searchParams.get('sslrootcert');
  } catch {
    return; // not a URL (key=value form): node-postgres reports it
  }
  if (rootCert === null) return;
  try {
    accessSync(rootCert, constants.R_OK);
  } catch (error) {
    throw new Error(`DATABASE_URL: sslrootcert ${rootCert}: cannot read the CA bundle the server certificate is verified against (${(error as NodeJS.ErrnoException).code ?? String(error)}); the runtime image carries it (runtime/Dockerfile)`);
  }
}

export function createPool(options: PoolOptions): pg.Pool {
  checkRootCert(options.connectionString);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 20,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    // a query never waits longer than this on a lock or a sick server
    statement_timeout: 15_000,
    query_timeout: 20_000,
    application_name: options.asyncCommit ? 'paddock-runtime-leases' : 'paddock-runtime',
    keepAlive: true,
    // the turn path's named statements (statements.ts) are keyed lookups: plan them once per
    // connection. This applies to every parameterized query here (pg sends them as unnamed
    // prepared statements); the others are keyed or filtered lists whose generic plans use the
    // same indexes, and none runs per turn
    options: ['-c plan_cache_mode=force_generic_plan', ...(options.asyncCommit ? ['-c synchronous_commit=off'] : [])].join(' '),
  });
  // without a listener an idle connection's error (server restart) would crash the process
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

/** SQLSTATE classes and codes that mean "the database is not reachable right now". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006', '08007', '08P01']);
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/i, /Query read timeout/i, /the database system is (starting up|shutting down)/i, /Client was closed/i, /Cannot use a pool after calling end/i];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNO.has(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/**
 * pg-pool's error for a request that waited `connectionTimeoutMillis` for a connection while
 * every one of the pool's was busy: the database answers, this replica has more work than
 * connections (overloaded, not an outage: the API says `503 overloaded`, ADR 0020). Still
 * counted as unavailable by isDatabaseUnavailable, so the turn path retries it.
 */
export function isPoolExhausted(error: unknown): boolean {
  return error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message);
}

/** Runs `work` in a transaction on one connection; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = isDatabaseUnavailable(error);
    if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}
