/**
 * The rendered litellm-database-setup Job's script, run as rendered (its command and env) with a
 * real psql against a real Postgres 17, as an admin that is no superuser (like RDS's master
 * user): it creates LiteLLM's role and database, runs again without harm, and sets a rotated
 * password. Needs the psql client (Debian: postgresql-client), like the Job's image has.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelGatewayObjects } from '../../../charts-synth/charts/model-gateway.ts';
import { shippedSpec } from '../../support/fixtures.ts';
import { startTestPostgres, type TestPostgres } from '../../runtime/support/postgres.ts';

const run = promisify(execFile);
type Json = Record<string, any>;

const job = modelGatewayObjects(shippedSpec('local')).find((o) => o.kind === 'Job') as Json;
const container = job.spec.template.spec.containers[0];
const literalEnv = Object.fromEntries(container.env.filter((e: Json) => e.value !== undefined).map((e: Json) => [e.name, e.value as string]));

let server: TestPostgres;
let adminUrl: string;
beforeAll(async () => {
  await run('psql', ['--version']).catch(() => {
    throw new Error('this test runs the Job\'s script with psql: install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client)');
  });
  server = await startTestPostgres();
  const superuser = new pg.Client({ connectionString: server.url('postgres') });
  await superuser.connect();
  // like RDS's master user: CREATEROLE and CREATEDB, not a superuser
  await superuser.query("CREATE ROLE platform_admin LOGIN PASSWORD 'admin-pw' CREATEROLE CREATEDB");
  await superuser.query('CREATE ROLE stranger LOGIN PASSWORD \'stranger-pw\'');
  await superuser.end();
  adminUrl = `postgresql://platform_admin:admin-pw@127.0.0.1:${server.port}/postgres?sslmode=disable`;
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

async function runSetup(password: string): Promise<{ stdout: string; stderr: string }> {
  expect(container.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
  return run('/bin/sh', ['-c', container.command[2]], { env: { PATH: process.env.PATH, ...literalEnv, ADMIN_DATABASE_URL: adminUrl, ROLE_PASSWORD: password } });
}

async function connectAs(user: string, password: string, database = 'litellm'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${database}?sslmode=disable` });
  await client.connect();
  return client;
}

describe('litellm-database-setup Job script (real psql, real Postgres)', () => {
  it('creates the LiteLLM role and its own database, which the role owns and can build its schema in', async () => {
    const { stdout } = await runSetup('first-password-1');
    expect(stdout).toContain('role and database litellm ready');
    const litellm = await connectAs('litellm', 'first-password-1');
    await litellm.query('CREATE TABLE "LiteLLM_VerificationToken" (token text PRIMARY KEY)');
    const owner = await litellm.query("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'litellm'");
    expect(owner.rows[0].owner).toBe('litellm');
    const role = await litellm.query("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'litellm'");
    expect(role.rows[0]).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
    await litellm.end();
  }, 60_000);

  it('keeps other roles out of LiteLLM\'s database', async () => {
    await expect(connectAs('stranger', 'stranger-pw')).rejects.toThrow(/permission denied for database "litellm"/);
  });

  it('runs again without harm, and a rotated password replaces the old one', async () => {
    await runSetup('second-password-2');
    await runSetup('second-password-2');
    await expect(connectAs('litellm', 'first-password-1')).rejects.toThrow(/password authentication failed/);
    const litellm = await connectAs('litellm', 'second-password-2');
    const tables = await litellm.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'LiteLLM_VerificationToken'");
    expect(tables.rows[0].n).toBe(1);
    await litellm.end();
  }, 60_000);

  it('fails loudly (non-zero, psql\'s error) when it cannot connect', async () => {
    await expect(run('/bin/sh', ['-c', container.command[2]], { env: { PATH: process.env.PATH, ...literalEnv, ADMIN_DATABASE_URL: `postgresql://platform_admin:wrong@127.0.0.1:${server.port}/postgres?sslmode=disable`, ROLE_PASSWORD: 'x' } })).rejects.toThrow(/password authentication failed/);
  });
});
