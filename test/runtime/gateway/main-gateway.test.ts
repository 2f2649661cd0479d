/**
 * The runtime controller as deployed (runtime/main.ts in its own process) with an in-cluster
 * gateway in its config: it registers the teams and keys from the mounted admin Secret in the
 * fake LiteLLM (a child process), reports the state in /metrics, follows a rotated key without
 * a restart, and never logs a key.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tokenOf } from '../../../runtime/gateway/key-plan.ts';
import { FakeLiteLLMProcess } from '../../support/fake-litellm/process.ts';
import type { FakeLiteLLMState } from '../../support/fake-litellm/state.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { runtimeProcessFiles, spawnRuntime, testConfig, type RuntimeProcess } from '../support/runtime.ts';

const masterKey = `sk-master-${randomBytes(12).toString('hex')}`;
const newKey = () => `sk-paddock-${randomBytes(18).toString('base64url')}`;
let pg: TestPostgres;
let gateway: FakeLiteLLMProcess;
let runtime: RuntimeProcess | undefined;
let dir: string;

beforeAll(async () => {
  pg = await startTestPostgres();
  gateway = new FakeLiteLLMProcess({ masterKey, models: ['claude-fast', 'gpt-fast'] });
  await gateway.start();
}, 60_000);
afterAll(async () => {
  runtime?.child.kill('SIGTERM');
  await runtime?.exited;
  await gateway?.dispose();
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; runtime output: ${runtime?.output().slice(-2000)}`);
    await delay(100);
  }
}

it('registers every team\'s key in the gateway, reports it in /metrics and follows a rotation', async () => {
  const config = testConfig({ modelGatewayUrl: gateway.url, gatewayKeys: { kind: 'litellm', teams: [{ name: 'alpha', models: ['claude-fast'], budget: { maxUsd: 50, period: '30d' } }, { name: 'beta', models: ['gpt-fast'], rpm: 30 }] } });
  const files = runtimeProcessFiles(await pg.createDatabase(), config);
  dir = files.dir;
  const secret = join(dir, 'gateway-admin');
  mkdirSync(secret);
  const alphaKey = newKey();
  writeFileSync(join(secret, 'masterKey'), masterKey);
  writeFileSync(join(secret, 'team-alpha'), alphaKey);
  writeFileSync(join(secret, 'team-beta'), newKey());
  runtime = await spawnRuntime({ ...files.env, PADDOCK_GATEWAY_ADMIN_DIR: secret });
  await runtime.waitReady();
  const state = async () => (await gateway.admin<FakeLiteLLMState>('GET', '/__fake/state')).body;
  await until(async () => Object.keys((await state()).keys).length === 2, 'both keys registered');
  const s = await state();
  expect(s.teams['paddock-alpha']).toMatchObject({ models: ['claude-fast'], max_budget: 50, budget_duration: '30d' });
  expect(s.teams['paddock-beta']).toMatchObject({ models: ['gpt-fast'], rpm_limit: 30 });
  expect(s.keys[tokenOf(alphaKey)]).toMatchObject({ team_id: 'paddock-alpha' });
  await until(async () => (await (await fetch(`${runtime!.url}/metrics`)).text()).includes('paddock_gateway_keys_converged 1'), 'the converged gauge');

  // a rotated key in the mounted Secret converges without a restart (the Secret is re-read)
  const rotated = newKey();
  writeFileSync(join(secret, 'team-alpha'), rotated);
  await until(async () => {
    const keys = Object.values((await state()).keys).filter((k) => k.team_id === 'paddock-alpha');
    return keys.length === 1 && keys[0]!.token === tokenOf(rotated);
  }, 'the rotated key to replace the old one');
  expect(runtime.output()).toContain('gateway team reconciled');
  expect(runtime.output()).not.toContain(masterKey);
  expect(runtime.output()).not.toContain(rotated);
  expect(runtime.output()).not.toContain(alphaKey);
}, 90_000);
