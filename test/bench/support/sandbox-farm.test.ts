/**
 * The bench's sandbox farm is a real process serving one harness protocol v1 server per
 * sandbox: each claimed sandbox runs scripted turns, accepts only its own token, and is gone
 * once released.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HarnessCallError, HarnessClient } from '../../../harnesses/protocol/client.ts';
import { ROOT } from '../../../bench/support/bench-context.ts';
import { FarmDriver, startSandboxFarm, type SandboxFarm } from '../../../bench/support/sandbox-farm.ts';

let farm: SandboxFarm;
beforeAll(async () => {
  farm = await startSandboxFarm(ROOT);
});
afterAll(async () => {
  await farm?.close();
});

async function reply(client: HarnessClient, input: string): Promise<string> {
  let text = '';
  for await (const e of client.turn({ sessionId: 's', turn: 1, input, history: [] })) if (e.type === 'text_delta') text += e.text;
  return text;
}

it('hands out sandboxes of their own, each answering with the scripted agent on its own token', async () => {
  const driver = new FarmDriver(farm.url);
  const [a, b] = await Promise.all([driver.acquire(), driver.acquire()]);
  expect(a.endpoint).not.toBe(b.endpoint);
  expect(a.token).not.toBe(b.token);
  expect(await reply(new HarnessClient(a.endpoint, a.token), 'hello')).toBe('I heard: hello (turn 1, 0 history messages)');
  const wrongToken = await new HarnessClient(b.endpoint, a.token).status().catch((error: unknown) => error);
  expect(wrongToken).toBeInstanceOf(HarnessCallError);
  expect((wrongToken as HarnessCallError).code).toBe('unauthorized');
  expect(await farm.stats()).toMatchObject({ sandboxes: 2 });

  expect(await driver.isAlive(a)).toBe(true);
  await driver.release(a);
  expect(await driver.isAlive(a)).toBe(false);
  expect(await driver.isAlive(b)).toBe(true);
  expect(await farm.stats()).toMatchObject({ sandboxes: 1 });
});
