/**
 * Versioned SQL migrations (runtime/migrations/NNNN_name.sql), applied at start-up under a
 * Postgres advisory lock so that replicas starting together apply each file exactly once.
 * Every applied file is recorded with its sha256; a file that changed after it was applied
 * stops the runtime with a message naming it, instead of silently diverging schemas.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');
export const MIGRATIONS_TABLE = 'paddock_schema_migrations';
/** pg_advisory_lock key of the migration runner ("paddock" in ASCII, as an int8). */
export const MIGRATION_LOCK_KEY = 0x706164646f636bn;

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  readonly sql: string;
  readonly checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export function checksumOf(sql: string): string {
  // line endings are normalised so a CRLF checkout is not "a changed file"
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(file);
    if (!match) throw new MigrationError(`${join(dir, file)}: a migration file is named NNNN_lower_snake_name.sql`);
    const sql = readFileSync(join(dir, file), 'utf8');
    migrations.push({ version: Number(match[1]), name: match[2]!, file, sql, checksum: checksumOf(sql) });
  }
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) throw new MigrationError(`${dir}: ${migrations[i - 1]!.file} and ${migrations[i]!.file} have the same version`);
  }
  return migrations;
}

export interface MigrationResult {
  readonly applied: readonly string[];
  readonly alreadyApplied: number;
  /** versions recorded in the database that this build does not know (a newer runtime ran) */
  readonly unknown: readonly number[];
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/** Applies pending migrations. Throws MigrationError when an applied file was changed. */
export async function applyMigrations(pool: pg.Pool, migrations: readonly Migration[] = loadMigrations(), log: (line: string) => void = () => undefined): Promise<MigrationResult> {
  const client = await pool.connect();
  let locked = false;
  let failed = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    locked = true;
    await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<AppliedRow>(`SELECT version, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`);
    const applied = new Map(rows.map((r) => [r.version, r]));
    const known = new Map(migrations.map((m) => [m.version, m]));

    const changed = migrations.filter((m) => applied.has(m.version) && applied.get(m.version)!.checksum !== m.checksum);
    if (changed.length > 0) {
      throw new MigrationError(
        changed
          .map((m) => `migration ${m.file} was changed after it was applied (recorded sha256 ${applied.get(m.version)!.checksum.slice(0, 12)}…, file now ${m.checksum.slice(0, 12)}…)`)
          .join('\n') + '\nRestore the applied file and put the change in a new migration; the runtime will not start on a schema it cannot vouch for.',
      );
    }
    const unknown = rows.filter((r) => !known.has(r.version)).map((r) => r.version);
    if (unknown.length > 0) log(`the database has migrations this runtime does not know (${unknown.join(', ')}): a newer runtime applied them; continuing`);

    const pending = migrations.filter((m) => !applied.has(m.version));
    const newestApplied = rows.at(-1)?.version ?? 0;
    const outOfOrder = pending.filter((m) => m.version < newestApplied);
    if (outOfOrder.length > 0) {
      throw new MigrationError(`${outOfOrder.map((m) => m.file).join(', ')} ${outOfOrder.length > 1 ? 'are' : 'is'} older than the newest applied migration (${newestApplied}); number new migrations after it`);
    }
    const done: string[] = [];
    for (const migration of pending) {
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum) VALUES ($1, $2, $3)`, [migration.version, migration.name, migration.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationError(`migration ${migration.file} failed and was rolled back: ${(error as Error).message}`);
      }
      log(`applied migration ${migration.file}`);
      done.push(migration.file);
    }
    return { applied: done, alreadyApplied: migrations.length - pending.length, unknown };
  } catch (error) {
    failed = !(error instanceof MigrationError);
    throw error;
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    // a connection that failed mid-way is discarded, not returned to the pool
    client.release(failed);
  }
}

/** For /readyz: are all migrations of this build applied? */
export async function migrationsApplied(pool: pg.Pool, migrations: readonly Migration[]): Promise<boolean> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE} WHERE version = ANY($1::int[])`, [migrations.map((m) => m.version)]);
  return Number(rows[0]?.n ?? 0) === migrations.length;
}
