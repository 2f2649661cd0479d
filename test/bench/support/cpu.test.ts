/**
 * CPU accounting for the benchmarks' "where the time went" lines: a parent counts the CPU of the
 * children it reaped (a postmaster's exited backends), so the Postgres figure cannot go negative
 * when backends exit between two readings.
 */
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cpuSeconds } from '../../../bench/support/cpu.ts';

describe('cpuSeconds', () => {
  it('counts the reaped children of a process only when asked', async () => {
    // the shell runs a busy child to its end (reaping it), then idles
    const busy = `${JSON.stringify(process.execPath)} -e "const end = Date.now() + 400; while (Date.now() < end);"`;
    const shell = spawn('bash', ['-c', `${busy}; echo done; sleep 30`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => shell.stdout.on('data', () => resolve()));
      await delay(50);
      const own = cpuSeconds(shell.pid!);
      const withChildren = cpuSeconds(shell.pid!, true);
      expect(own).toBeLessThan(0.1);
      expect(withChildren - own).toBeGreaterThanOrEqual(0.25);
    } finally {
      shell.kill('SIGKILL');
    }
    expect(cpuSeconds(2 ** 22 + 12345)).toBe(0);
  });
});
