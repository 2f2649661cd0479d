/**
 * The conformance suite (harnesses/conformance/suite.ts) against the scripted harness, started
 * from its harness.yaml local command like dev mode does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeConformance } from '../../harnesses/conformance/suite.ts';

const root = mkdtempSync(join(tmpdir(), 'paddock-scripted-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeConformance({
  harness: 'scripted',
  sandboxEnv: () => ({ PATH: process.env.PATH, HOME: root, PADDOCK_WORKSPACE: root }),
  inputs: {
    simple: 'hello there',
    expectedReply: (input, turn, historyLength) => `I heard: ${input} (turn ${turn}, ${historyLength} history messages)`,
    tool: '/tool ping',
    toolOutput: 'ping',
    hang: '/hang',
    crash: '/crash boom',
    error: '/error',
    remember: (word) => `remember the word ${word}`,
    recall: '/recall what word did I ask you to remember?',
  },
  crash: 'harness-exits',
  minDeltas: 3,
  turnDeadlineMs: 15_000,
});
