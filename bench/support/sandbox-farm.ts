/**
 * Starting the bench's sandbox farm (sandbox-farm-process.ts) and the SandboxDriver the
 * runtime uses against it. Claiming a farm sandbox is one HTTP round trip, like a SandboxClaim
 * answered from a warm pool minus the Kubernetes API; liveness is the harness protocol's own
 * status call, as for the local driver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HarnessClient } from '../../harnesses/protocol/client.ts';
import type { SandboxBinding, SandboxDriver } from '../../runtime/drivers/sandbox-driver.ts';

export interface SandboxFarm {
  readonly url: string;
  readonly pid: number;
  acquire(): Promise<SandboxBinding>;
  stats(): Promise<{ sandboxes: number; busy: number }>;
  close(): Promise<void>;
}

export async function startSandboxFarm(cwd: string): Promise<SandboxFarm> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./sandbox-farm-process.ts', import.meta.url))], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the sandbox farm exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = JSON.parse(line) as { farm?: { url: string } };
      if (parsed.farm) resolve(parsed.farm.url);
    });
  });
  const driver = new FarmDriver(url);
  return {
    url,
    pid: child.pid!,
    acquire: () => driver.acquire(),
    stats: async () => (await fetch(`${url}/stats`)).json() as Promise<{ sandboxes: number; busy: number }>,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The runtime's driver in the bench: sandboxes from the farm at `url`. */
export class FarmDriver implements SandboxDriver {
  readonly name = 'local' as const;
  /** isAlive is nothing but the harness's status call: there is no word of its own to ask, the keeper's protocol call proves the rest */
  holdsIncarnation(): Promise<boolean> {
    return Promise.resolve(true);
  }

  constructor(private readonly url: string) {}

  async acquire(): Promise<SandboxBinding> {
    const res = await fetch(`${this.url}/sandboxes`, { method: 'POST' });
    if (res.status !== 201) throw new Error(`the sandbox farm answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { binding: SandboxBinding }).binding;
  }

  isAlive(binding: SandboxBinding): Promise<boolean> {
    return new HarnessClient(binding.endpoint, binding.token, { timeoutMs: 2_000 }).status().then(
      () => true,
      () => false,
    );
  }

  async release(binding: SandboxBinding): Promise<void> {
    await fetch(`${this.url}/sandboxes/${encodeURIComponent(binding.sandboxId)}`, { method: 'DELETE' }).then((r) => r.arrayBuffer());
  }

  async close(): Promise<void> {}
}
