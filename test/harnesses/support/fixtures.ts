/** Reads a recorded CLI output fixture (test/harnesses/<harness>/fixtures/<name>.jsonl) as parsed lines. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliStreamMapper } from '../../../harnesses/cli-adapter/run-cli.ts';
import type { HarnessEvent } from '../../../harnesses/protocol/types.ts';

const here = dirname(fileURLToPath(import.meta.url));

export function fixtureLines(harness: string, name: string): unknown[] {
  return readFileSync(join(here, '..', harness, 'fixtures', `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** Feeds every line to the mapper, then the exit: the events the adapter would stream. */
export function mapAll(mapper: CliStreamMapper, lines: readonly unknown[], exit: { code: number | null; signal: NodeJS.Signals | null; stderrTail?: string }): HarnessEvent[] {
  const events = lines.flatMap((line) => [...mapper.map(line)]);
  return [...events, ...mapper.finish({ code: exit.code, signal: exit.signal, stderrTail: exit.stderrTail ?? '' })];
}

export const replyText = (events: readonly HarnessEvent[]) => events.map((e) => (e.type === 'text_delta' ? e.text : '')).join('');
