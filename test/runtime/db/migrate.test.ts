import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, checksumOf, loadMigrations, migrationsApplied, MIGRATIONS_DIR, MigrationError } from '../../../runtime/db/migrate.ts';
import { createPool } from '../../../runtime/db/pool.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

let server: TestPostgres;
const pools: pg.Pool[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

async function freshPool(): Promise<pg.Pool> {
  const pool = createPool({ connectionString: await server.createDatabase() });
  pools.push(pool);
  return pool;
}

function copyOfMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-migrations-'));
  dirs.push(dir);
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

describe('migrations', () => {
  it('applies every file on a fresh database and records its checksum', async () => {
    const pool = await freshPool();
    const migrations = loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    const result = await applyMigrations(pool, migrations);
    expect(result.applied).toEqual(migrations.map((m) => m.file));
    const { rows } = await pool.query('SELECT version, name, checksum FROM paddock_schema_migrations ORDER BY version');
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name, checksum: checksumOf(readFileSync(join(MIGRATIONS_DIR, m.file), 'utf8')) })));
    const tables = await pool.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    expect(tables.rows.map((r) => r.table_name)).toEqual(['audit_log', 'events', 'paddock_schema_migrations', 'sandbox_bindings', 'sandbox_releases', 'sessions', 'turns']);
    expect(await migrationsApplied(pool, migrations)).toBe(true);
  });

  it('re-running applies nothing', async () => {
    const pool = await freshPool();
    await applyMigrations(pool);
    const again = await applyMigrations(pool);
    expect(again).toEqual({ applied: [], alreadyApplied: loadMigrations().length, unknown: [] });
  });

  it('applies each migration once when several replicas start at the same time', async () => {
    const url = await server.createDatabase();
    const replicas = Array.from({ length: 6 }, () => createPool({ connectionString: url, max: 2 }));
    pools.push(...replicas);
    const results = await Promise.all(replicas.map((pool) => applyMigrations(pool)));
    const appliedBy = results.filter((r) => r.applied.length > 0);
    expect(appliedBy).toHaveLength(1);
    expect(results.every((r) => r.applied.length + r.alreadyApplied === loadMigrations().length)).toBe(true);
    const { rows } = await replicas[0]!.query('SELECT count(*)::int AS n FROM paddock_schema_migrations');
    expect(rows[0].n).toBe(loadMigrations().length);
  });

  it('refuses to start when an applied file was changed, naming it', async () => {
    const pool = await freshPool();
    const dir = copyOfMigrations();
    await applyMigrations(pool, loadMigrations(dir));
    const file = join(dir, loadMigrations(dir)[0]!.file);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- an innocent-looking edit\n`);
    const error = await applyMigrations(pool, loadMigrations(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/migration 0001_sessions\.sql was changed after it was applied/);
    expect((error as Error).message).toMatch(/put the change in a new migration/);
    // nothing else happened: the lock is free and a correct runner still works
    await expect(applyMigrations(pool)).resolves.toMatchObject({ applied: [] });
  });

  it('treats CRLF line endings as the same file', async () => {
    const pool = await freshPool();
    const dir = copyOfMigrations();
    await applyMigrations(pool, loadMigrations(dir));
    const file = join(dir, loadMigrations(dir)[0]!.file);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    await expect(applyMigrations(pool, loadMigrations(dir))).resolves.toMatchObject({ applied: [] });
  });

  it('applies a new migration, rolls back a failing one, and rejects one numbered before applied ones', async () => {
    const pool = await freshPool();
    const dir = copyOfMigrations();
    await applyMigrations(pool, loadMigrations(dir));
    // numbered after the shipped migrations, whatever their count
    const next = loadMigrations(dir).at(-1)!.version + 1;
    const file = (offset: number, name: string) => `${String(next + offset).padStart(4, '0')}_${name}.sql`;
    writeFileSync(join(dir, file(0, 'add_note')), 'ALTER TABLE sessions ADD COLUMN note text;');
    expect((await applyMigrations(pool, loadMigrations(dir))).applied).toEqual([file(0, 'add_note')]);

    writeFileSync(join(dir, file(1, 'broken')), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;');
    await expect(applyMigrations(pool, loadMigrations(dir))).rejects.toThrow(new RegExp(`migration ${file(1, 'broken')} failed and was rolled back: relation "no_such_table" does not exist`));
    const halfDone = await pool.query("SELECT to_regclass('half_done') AS t");
    expect(halfDone.rows[0].t).toBeNull();
    rmSync(join(dir, file(1, 'broken')));

    writeFileSync(join(dir, file(2, 'later')), 'SELECT 1;');
    await applyMigrations(pool, loadMigrations(dir));
    writeFileSync(join(dir, file(1, 'late')), 'SELECT 1;');
    await expect(applyMigrations(pool, loadMigrations(dir))).rejects.toThrow(new RegExp(`${file(1, 'late')} is older than the newest applied migration \\(${next + 2}\\)`));
  });

  it('reports versions a newer runtime applied, and rejects badly named files', async () => {
    const pool = await freshPool();
    const dir = copyOfMigrations();
    writeFileSync(join(dir, '0009_newer.sql'), 'SELECT 1;');
    await applyMigrations(pool, loadMigrations(dir));
    const lines: string[] = [];
    expect((await applyMigrations(pool, loadMigrations(), (l) => lines.push(l))).unknown).toEqual([9]);
    expect(lines.join('\n')).toMatch(/a newer runtime applied them/);
    writeFileSync(join(dir, 'add-things.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/add-things\.sql: a migration file is named NNNN_lower_snake_name\.sql/);
  });

  it('keeps events append-only', async () => {
    const pool = await freshPool();
    await applyMigrations(pool);
    await pool.query("INSERT INTO sessions (id, team, harness) VALUES ('00000000-0000-4000-8000-000000000001', 't', 'scripted')");
    await pool.query("INSERT INTO events (session_id, seq, type, data) VALUES ('00000000-0000-4000-8000-000000000001', 1, 'status', '{}')");
    await expect(pool.query("UPDATE events SET type = 'x'")).rejects.toThrow(/events are append-only/);
    await expect(pool.query("INSERT INTO events (session_id, seq, type, data) VALUES ('00000000-0000-4000-8000-000000000001', 1, 'status', '{}')")).rejects.toThrow(/duplicate key/);
  });
});
