/**
 * The scripted harness process: harness protocol v1 (harnesses/protocol/server.ts) around the
 * scripted agent (script.ts). Run by the local driver in dev mode and tests, and as the image
 * command in a cluster.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { startHarnessFromEnv } from '../protocol/server.ts';
import { scriptedTurn, type ScriptEffects } from './script.ts';

const effects: ScriptEffects = {
  async sleep(ms, signal) {
    await delay(ms, undefined, { signal }).catch(() => undefined);
  },
  async crash() {
    // let the delta already written reach the socket, then die the way a crashing CLI does
    await delay(20);
    process.stderr.write('[scripted] crashing on purpose (/crash)\n');
    process.exit(70);
  },
};

await startHarnessFromEnv({
  harness: 'scripted',
  handleTurn: (turn, { signal }) => scriptedTurn(turn, signal, effects),
});
