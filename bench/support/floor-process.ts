/**
 * Starting and stopping a floor process (accept-floor-process.ts, turn-floor-process.ts): a
 * child that prints `{"floor":{"url"}}` once it listens, and stops on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export interface FloorProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startFloorProcess(cwd: string, script: URL, env: Record<string, string>): Promise<FloorProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script)], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, delay(5_000).then(() => child.kill('SIGKILL'))]);
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${fileURLToPath(script).split('/').pop()} exited with ${code} before listening`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const parsed = JSON.parse(line) as { floor?: { url: string } };
        if (parsed.floor) resolve(parsed.floor.url);
      });
    });
    return { url, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
