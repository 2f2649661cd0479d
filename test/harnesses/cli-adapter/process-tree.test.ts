/** process-tree against real processes: /proc parsing, descendants, and killTree. */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { descendants, isAlive, killTree, parseProcStat } from '../../../harnesses/cli-adapter/process-tree.ts';

describe('parseProcStat', () => {
  it('reads pid, ppid and start time even when the command name has spaces and parentheses', () => {
    const fields = ['S', '41', ...Array.from({ length: 17 }, (_, i) => String(i)), '987654', '0'];
    expect(parseProcStat(`1234 (my (odd) cmd) ${fields.join(' ')}`)).toEqual({ pid: 1234, ppid: 41, startTime: '987654' });
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});

describe('killTree', () => {
  it('ends a process group leader, its children and a grandchild that escaped into its own session', async () => {
    // leader -> sh child (same group) -> setsid sleep (own session: a group kill misses it)
    const leader = spawn('sh', ['-c', 'sleep 300 & setsid sleep 300 & trap "" TERM; while true; do sleep 1; done'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => leader.once('exit', resolve));
    let tree = descendants(leader.pid!);
    for (let i = 0; i < 50 && tree.filter((p) => p.pid).length < 3; i++) {
      await sleep(20);
      tree = descendants(leader.pid!);
    }
    expect(tree.length).toBeGreaterThanOrEqual(2);
    expect(tree.every(isAlive)).toBe(true);
    await killTree(leader.pid!, { exited, graceMs: 300 });
    await exited;
    for (let i = 0; i < 50 && tree.some(isAlive); i++) await sleep(20);
    expect(tree.filter(isAlive)).toEqual([]);
  });

  it('treats a pid whose start time changed as another process', () => {
    const self = descendants(process.ppid).find((p) => p.pid === process.pid);
    expect(self && isAlive(self)).toBe(true);
    expect(isAlive({ pid: process.pid, startTime: '1' })).toBe(false);
  });
});
