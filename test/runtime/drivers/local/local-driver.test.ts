/** The local driver with real child processes: environment, liveness, release, clear failures. */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RuntimeHarnessConfig, RuntimeTeamConfig } from '../../../../config/runtime-config.ts';
import { HarnessClient } from '../../../../harnesses/protocol/client.ts';
import { loadHarnessRegistry } from '../../../../harnesses/registry.ts';
import { LocalDriver } from '../../../../runtime/drivers/local/local-driver.ts';
import { SandboxError, type SandboxBinding } from '../../../../runtime/drivers/sandbox-driver.ts';
import { createLogger } from '../../../../runtime/log.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const workDir = mkdtempSync(join(tmpdir(), 'paddock-local-'));
const logLines: string[] = [];
const driver = new LocalDriver({
  registry: loadHarnessRegistry(FIXTURES),
  harnessesDir: FIXTURES,
  workDir,
  modelGatewayUrl: 'http://gateway.test:4000/',
  env: { PATH: dirname(process.execPath), DATABASE_URL: 'postgres://secret', AWS_SECRET_ACCESS_KEY: 'nope', CONTAINER_ENV_GIT_AUTHOR_NAME: 'Runtime Default', CONTAINER_ENV_SHARED: 'from-runtime', CONTAINER_ENV_PADDOCK_TEAM: 'spoofed', 'CONTAINER_ENV_1BAD': 'x' },
  log: createLogger({ format: 'text', level: 'debug', write: (l) => logLines.push(l) }),
});
afterAll(async () => {
  await driver.close();
  rmSync(workDir, { recursive: true, force: true });
});

const team: RuntimeTeamConfig = { name: 'red', namespace: 'team-red', env: { SHARED: 'from-team', TEAM_ONLY: 'yes' }, harnesses: [] };
const harness = (name: string, gateway: RuntimeHarnessConfig['modelGatewayEnv'] = []): RuntimeHarnessConfig => ({ name, warmPool: name, port: 8080, modelGatewayEnv: gateway });

describe('local sandbox driver', () => {
  it('warns loudly that it isolates nothing', () => {
    expect(logLines[0]).toMatch(/^WARN LOCAL SANDBOX DRIVER: .*isolate NOTHING/);
  });

  it('starts the harness on loopback with the sandbox environment and nothing else of the runtime\'s', async () => {
    const binding = await driver.acquire({ team, harness: harness('env-echo', [{ name: 'GATEWAY_BASE_URL', path: '/v1' }]), sessionId: 's-1' });
    expect(binding).toMatchObject({ driver: 'local', namespace: 'team-red', endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), sandboxId: expect.stringMatching(/^local-/) });
    expect(binding.token.length).toBeGreaterThanOrEqual(32);
    let reply = '';
    for await (const e of new HarnessClient(binding.endpoint, binding.token).turn({ sessionId: 's-1', turn: 1, input: 'env?', history: [] })) if (e.type === 'text_delta') reply += e.text;
    const { env, cwd } = JSON.parse(reply) as { env: Record<string, string>; cwd: string };
    expect(cwd).toBe(join(FIXTURES, 'env-echo'));
    const workspace = join(workDir, binding.sandboxId, 'workspace');
    expect(env).toMatchObject({
      GIT_AUTHOR_NAME: 'Runtime Default',
      SHARED: 'from-team',
      TEAM_ONLY: 'yes',
      GATEWAY_BASE_URL: 'http://gateway.test:4000/v1',
      PADDOCK_HARNESS: 'env-echo',
      PADDOCK_HARNESS_PORT: binding.endpoint.split(':').at(-1),
      PADDOCK_HARNESS_HOST: '127.0.0.1',
      PADDOCK_TEAM: 'red',
      PADDOCK_WORKSPACE: workspace,
      PADDOCK_SANDBOX_TOKEN: binding.token,
      PADDOCK_MODEL_GATEWAY_URL: 'http://gateway.test:4000',
      HOME: join(workDir, binding.sandboxId, 'home'),
    });
    for (const leaked of ['DATABASE_URL', 'AWS_SECRET_ACCESS_KEY', 'CONTAINER_ENV_SHARED', '1BAD']) expect(env[leaked]).toBeUndefined();
    expect(logLines.join('\n')).toMatch(/ignored CONTAINER_ENV_PADDOCK_TEAM: "PADDOCK_TEAM" is reserved by the platform/);
    expect(logLines.join('\n')).toMatch(/ignored CONTAINER_ENV_1BAD: "1BAD" is not a valid variable name/);

    expect(await driver.isAlive(binding)).toBe(true);
    expect(await driver.isAlive({ ...binding, token: 'x'.repeat(43) })).toBe(false);
    await driver.release(binding);
    expect(await driver.isAlive(binding)).toBe(false);
    expect(existsSync(join(workDir, binding.sandboxId))).toBe(false);
    await driver.release(binding);
  });

  it('releases a sandbox started by an earlier runtime process (re-attach), proving it is ours first', async () => {
    const other = new LocalDriver({ registry: loadHarnessRegistry(FIXTURES), harnessesDir: FIXTURES, workDir, modelGatewayUrl: 'http://g', env: { PATH: dirname(process.execPath) }, log: createLogger({ write: () => undefined }) });
    const binding: SandboxBinding = await other.acquire({ team, harness: harness('env-echo'), sessionId: 's-2' });
    // `driver` did not start it, yet it can check and end it through the binding alone
    expect(await driver.isAlive(binding)).toBe(true);
    await driver.release(binding);
    expect(await driver.isAlive(binding)).toBe(false);
    for (let i = 0; i < 100 && other.pids.length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(other.pids).toEqual([]);
  });

  it('fails with a clear, terminal error when a harness cannot run here', async () => {
    const cases: Array<[string, RegExp]> = [
      ['needs-cli', new RegExp(`^harness "needs-cli" needs "paddock-no-such-cli", found neither in ${join(FIXTURES, 'needs-cli', 'node_modules', '.bin')} nor on PATH; run "scripts/install-harness-clis.sh needs-cli" \\(or put it on PATH\\) and restart, or use the "scripted" harness$`)],
      ['no-local', /^harness "no-local" declares no local command/],
      ['missing-adapter', /^harness "missing-adapter" is not installed locally: .*missing-adapter\/adapter\/server\.ts does not exist$/],
      ['not-a-harness', /^there is no harness "not-a-harness"/],
    ];
    for (const [name, message] of cases) {
      const error = await driver.acquire({ team, harness: harness(name), sessionId: 's' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SandboxError);
      expect(error).toMatchObject({ code: 'harness_unavailable', terminal: true, message: expect.stringMatching(message) });
    }
  });

  it('finds a harness CLI where scripts/install-harness-clis.sh puts it, with no PATH change', () => {
    const harnessesDir = mkdtempSync(join(tmpdir(), 'paddock-installed-cli-'));
    try {
      mkdirSync(join(harnessesDir, 'needs-cli', 'node_modules', '.bin'), { recursive: true });
      cpSync(join(FIXTURES, 'needs-cli', 'harness.yaml'), join(harnessesDir, 'needs-cli', 'harness.yaml'));
      writeFileSync(join(harnessesDir, 'needs-cli', 'server.ts'), '');
      const cli = join(harnessesDir, 'needs-cli', 'node_modules', '.bin', 'paddock-no-such-cli');
      writeFileSync(cli, '#!/bin/sh\necho fake 1.0\n', { mode: 0o644 });
      const local = new LocalDriver({ registry: loadHarnessRegistry(harnessesDir), harnessesDir, workDir, modelGatewayUrl: 'http://g', env: { PATH: dirname(process.execPath) }, log: createLogger({ write: () => undefined }) });
      // a file that cannot be run is not an install
      expect(local.unavailableReason('needs-cli')).toMatch(/needs "paddock-no-such-cli", found neither in/);
      chmodSync(cli, 0o755);
      expect(local.unavailableReason('needs-cli')).toBeUndefined();

      // a required variable (an agent's gateway key) comes, in dev mode, from CONTAINER_ENV_*
      const yaml = readFileSync(join(harnessesDir, 'needs-cli', 'harness.yaml'), 'utf8');
      writeFileSync(join(harnessesDir, 'needs-cli', 'harness.yaml'), yaml.replace('port: 8080', 'port: 8080\nrequiredEnv: [GATEWAY_KEY]'));
      const options = { registry: loadHarnessRegistry(harnessesDir), harnessesDir, workDir, modelGatewayUrl: 'http://g', log: createLogger({ write: () => undefined }) };
      expect(new LocalDriver({ ...options, env: { PATH: dirname(process.execPath) } }).unavailableReason('needs-cli')).toBe(
        'harness "needs-cli" needs GATEWAY_KEY (harness.yaml requiredEnv; for an agent CLI, its model gateway key): start paddock dev with CONTAINER_ENV_GATEWAY_KEY=<value> and PADDOCK_MODEL_GATEWAY_URL=<a gateway this machine reaches>, or use the "scripted" harness',
      );
      expect(new LocalDriver({ ...options, env: { PATH: dirname(process.execPath), CONTAINER_ENV_GATEWAY_KEY: 'k' } }).unavailableReason('needs-cli')).toBeUndefined();
    } finally {
      rmSync(harnessesDir, { recursive: true, force: true });
    }
  });

  it('reports a harness that exits while starting, with its stderr', async () => {
    const error = await driver.acquire({ team, harness: harness('crashes-at-start'), sessionId: 's' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'harness_unavailable', terminal: false, message: expect.stringMatching(/exited while starting \(code 3\): cannot find my config/) });
  });
});
