/**
 * runCli against real child processes: small Node programs that behave like agent CLIs do at
 * their worst (crash, keep stdout open through a grandchild, ignore the end of the turn,
 * spawn tools in their own session, print secrets on stderr).
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliExit, type CliStreamMapper } from '../../../harnesses/cli-adapter/run-cli.ts';
import type { HarnessEvent } from '../../../harnesses/protocol/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'paddock-run-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `{"say": text}` is a delta, `{"result": true}` the end of the turn. */
class LineMapper implements CliStreamMapper {
  completed = false;
  exit: CliExit | undefined;
  map(message: unknown): HarnessEvent[] {
    const line = message as { say?: string; result?: boolean };
    if (line.result) this.completed = true;
    return typeof line.say === 'string' ? [{ type: 'text_delta', text: line.say }] : [];
  }
  finish(exit: CliExit): HarnessEvent[] {
    this.exit = exit;
    return this.completed ? [{ type: 'done', stopReason: 'end_turn' }] : [{ type: 'error', code: 'cli_crashed', message: `crashed: ${exit.signal ?? exit.code} ${exit.stderrTail}`, retryable: true }, { type: 'done', stopReason: 'error' }];
  }
}

async function collect(script: string, options: { signal?: AbortSignal; stdin?: string; env?: NodeJS.ProcessEnv; exitWaitMs?: number; command?: string } = {}) {
  const mapper = new LineMapper();
  const events: HarnessEvent[] = [];
  const logs: string[] = [];
  const started = Date.now();
  const run = runCli(
    { label: 'fakecli', command: options.command ?? process.execPath, args: ['-e', script], cwd: dir, env: options.env ?? { PATH: process.env.PATH }, stdin: options.stdin ?? '' },
    mapper,
    { signal: options.signal ?? new AbortController().signal, log: (m) => logs.push(m), killGraceMs: 500, closeWaitMs: 500, ...(options.exitWaitMs ? { exitWaitMs: options.exitWaitMs } : {}) },
  );
  for await (const event of run) events.push(event);
  return { events, mapper, logs, ms: Date.now() - started };
}

const alive = (pid: number) => {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z';
  } catch {
    return false;
  }
};

describe('runCli', () => {
  it('passes stdin, maps stdout lines in order and ends with the mapper\'s done after a clean exit', async () => {
    const { events, mapper } = await collect(`let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const w of s.split(' '))console.log(JSON.stringify({say:w}));console.log('not json');console.log(JSON.stringify({result:true}))})`, { stdin: 'one two three' });
    expect(events).toEqual([
      { type: 'text_delta', text: 'one' },
      { type: 'text_delta', text: 'two' },
      { type: 'text_delta', text: 'three' },
      { type: 'done', stopReason: 'end_turn' },
    ]);
    expect(mapper.exit).toMatchObject({ code: 0, signal: null });
  });

  it('turns a CLI killed mid-turn into error then done {error}, keeping the lines before', async () => {
    const { events } = await collect(`console.log(JSON.stringify({say:'partial'}));setTimeout(()=>process.kill(process.pid,'SIGKILL'),50)`);
    expect(events).toEqual([
      { type: 'text_delta', text: 'partial' },
      { type: 'error', code: 'cli_crashed', message: expect.stringContaining('SIGKILL'), retryable: true },
      { type: 'done', stopReason: 'error' },
    ]);
  });

  it('does not hang when a grandchild keeps stdout open after the CLI exited', async () => {
    const { events, ms, mapper } = await collect(`const c=require('child_process').spawn('sleep',['30'],{stdio:'inherit',detached:true});c.unref();console.log(JSON.stringify({say:String(c.pid)}));console.log(JSON.stringify({result:true}));process.exit(0)`);
    expect(events.at(-1)).toEqual({ type: 'done', stopReason: 'end_turn' });
    expect(ms).toBeLessThan(5_000);
    const grandchild = Number((events[0] as { text: string }).text);
    process.kill(grandchild, 'SIGKILL');
    expect(mapper.completed).toBe(true);
  });

  it('ends a CLI that lingers after its result, then reports done', async () => {
    const { events, ms } = await collect(`console.log(JSON.stringify({result:true}));setInterval(()=>{},1000)`, { exitWaitMs: 300 });
    expect(events).toEqual([{ type: 'done', stopReason: 'end_turn' }]);
    expect(ms).toBeLessThan(5_000);
  });

  it('on abort ends the CLI and the tools it started in their own session, and streams nothing more', async () => {
    const controller = new AbortController();
    const script = `const c=require('child_process').spawn('sleep',['300'],{stdio:'ignore',detached:true});console.log(JSON.stringify({say:process.pid+' '+c.pid}));process.on('SIGTERM',()=>{});setInterval(()=>{},1000)`;
    const mapper = new LineMapper();
    const events: HarnessEvent[] = [];
    const run = runCli({ label: 'fakecli', command: process.execPath, args: ['-e', script], cwd: dir, env: { PATH: process.env.PATH }, stdin: '' }, mapper, { signal: controller.signal, log: () => undefined, killGraceMs: 300 });
    let pids: number[] = [];
    for await (const event of run) {
      events.push(event);
      if (event.type === 'text_delta') {
        pids = event.text.split(' ').map(Number);
        controller.abort();
      }
    }
    expect(events).toHaveLength(1);
    expect(mapper.exit, 'an aborted turn has no finish').toBeUndefined();
    // the CLI ignored SIGTERM and got SIGKILL; its setsid child was found through /proc
    const [cliPid, toolPid] = pids as [number, number];
    for (let i = 0; i < 50 && (alive(cliPid) || alive(toolPid)); i++) await sleep(20);
    expect(alive(cliPid), 'the CLI').toBe(false);
    expect(alive(toolPid), 'the tool it started with setsid').toBe(false);
  });

  it('reports a missing executable as error {cli_not_found} then done {error}', async () => {
    const { events } = await collect('', { command: join(dir, 'no-such-cli') });
    expect(events).toEqual([
      { type: 'error', code: 'cli_not_found', message: expect.stringContaining('install it (scripts/install-harness-clis.sh)'), retryable: false },
      { type: 'done', stopReason: 'error' },
    ]);
  });

  it('never lets a credential from the environment reach an event or a log line', async () => {
    const secret = 'sk-ant-api03-very-secret-value-1234567890';
    const { events, logs } = await collect(`console.error('auth failed for '+process.env.ANTHROPIC_API_KEY+' and Bearer abcdefghijkl');console.log('raw '+process.env.ANTHROPIC_API_KEY);process.exit(3)`, { env: { PATH: process.env.PATH, ANTHROPIC_API_KEY: secret } });
    const everything = JSON.stringify(events) + logs.join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('abcdefghijkl');
    expect(everything).toContain('[redacted]');
    expect(events.at(-2)).toMatchObject({ type: 'error', message: expect.stringContaining('auth failed for [redacted]') });
  });
});
