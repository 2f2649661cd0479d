/**
 * The measurements behind ADR 0023: each hand-written module against the well-kept library
 * that could replace it (speed, output, the behaviour our tests need). The candidates are not
 * dependencies; install them anywhere and point LIBRARY_FIT_DIR at that directory:
 *
 *   npm install --prefix /tmp/library-fit yaml eventsource-parser dotenv find-my-way ipaddr.js tree-kill
 *   LIBRARY_FIT_DIR=/tmp/library-fit npm run bench:library-fit
 *
 * Linux only (the process-tree part reads /proc).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { synthesizeStack, stackObjects } from '../charts-synth/synthesize.ts';
import { toYaml } from '../charts-synth/yaml-emitter.ts';
import { parseDotenv } from '../config/dotenv.ts';
import { validatePlatformConfig } from '../config/validate.ts';
import { descendants, isAlive, killTree } from '../harnesses/cli-adapter/process-tree.ts';
import { encodeSse, SseParser } from '../harnesses/protocol/sse.ts';
import { loadHarnessRegistry } from '../harnesses/registry.ts';
import { formatAddress, parseIpRange } from '../policy/network/ip-range.ts';
import { manyTeamsConfig, SHIPPED_STACKS, shippedSpec } from '../test/support/fixtures.ts';

const dir = process.env.LIBRARY_FIT_DIR;
if (!dir) throw new Error('set LIBRARY_FIT_DIR to a directory where the candidate libraries are installed (see the header)');
const load = createRequire(join(dir, 'package.json'));

interface YamlLib { stringify(value: unknown, options: object): string }
interface SseLib { createParser(callbacks: { onEvent(event: { id?: string; event?: string; data: string }): void }): { feed(chunk: string): void } }
interface DotenvLib { parse(text: string): Record<string, string> }
interface Router { on(method: string, path: string, handler: () => void): void; find(method: string, path: string): unknown }
interface Ipaddr { IPv6: { isValid(text: string): boolean; parse(text: string): { parts: number[] } } }
type TreeKill = (pid: number, signal: string, callback: (error?: Error) => void) => void;

function median(label: string, runs: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  const m = times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  console.log(`  ${label}: median ${m.toFixed(1)} ms over ${runs} runs`);
  return m;
}

function yamlEmitter(): void {
  console.log('YAML emitter vs yaml.stringify (YAML 1.1, no line folding)');
  const { stringify } = load('yaml') as YamlLib;
  const options = { version: '1.1', lineWidth: 0 };
  const registry = loadHarnessRegistry();
  const objects = stackObjects(synthesizeStack(validatePlatformConfig(manyTeamsConfig(1000), { file: 'bench', stack: 'bench', registry })));
  const ours = median(`toYaml, ${objects.length} objects of 1000 teams`, 5, () => objects.forEach((o) => toYaml(o)));
  const lib = median('yaml.stringify, same objects', 3, () => objects.forEach((o) => stringify(o, options)));
  let differ = 0;
  let total = 0;
  for (const stack of SHIPPED_STACKS) {
    for (const o of stackObjects(synthesizeStack(shippedSpec(stack)))) {
      total++;
      if (stringify(o, options) !== toYaml(o)) differ++;
    }
  }
  console.log(`  library / ours: ${(lib / ours).toFixed(1)}x; shipped-stack objects the library renders differently: ${differ}/${total}`);
}

function sseParser(): void {
  console.log('SseParser vs eventsource-parser');
  const { createParser } = load('eventsource-parser') as SseLib;
  const stream = Array.from({ length: 20_000 }, (_, i) => encodeSse(i, i % 10 === 0 ? 'done' : 'delta', { type: 'text', text: 'x'.repeat(40 + (i % 200)), seq: i })).join('');
  const chunks: string[] = [];
  for (let i = 0, n = 0; i < stream.length; n++) {
    const length = 64 + ((n * 7919) % 4000);
    chunks.push(stream.slice(i, i + length));
    i += length;
  }
  const ours = median('SseParser, 20k turn events in 64 B-4 KB chunks', 9, () => {
    const parser = new SseParser();
    for (const chunk of chunks) parser.push(chunk);
  });
  const lib = median('eventsource-parser, same chunks', 9, () => {
    const parser = createParser({ onEvent: () => {} });
    for (const chunk of chunks) parser.feed(chunk);
  });
  let delivered = 0;
  createParser({ onEvent: () => delivered++ }).feed('id: 1\revent: done\rdata: {}\r\r');
  console.log(`  library / ours: ${(lib / ours).toFixed(2)}x; a message ended by CR CR: ours delivers ${new SseParser().push('id: 1\revent: done\rdata: {}\r\r').length}, the library ${delivered} (it waits for a LF that may never come)`);
}

function dotenvParser(): void {
  console.log('config/dotenv.ts vs dotenv.parse, on files with mistakes');
  const { parse } = load('dotenv') as DotenvLib;
  const cases: Record<string, string> = {
    'duplicate key': 'A=1\nA=2\n',
    'not an assignment': 'A=1\nnot an assignment\n',
    'invalid key': '1A=x\n',
    'unclosed quote': 'A="open\nB=2\n',
    '# inside a word': 'A=a#b\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    let ours: string;
    try {
      ours = JSON.stringify(Object.fromEntries(parseDotenv(text, '.env').map((v) => [v.key, v.value])));
    } catch (error) {
      ours = `error: ${(error as Error).message.replace(/\n/g, '; ')}`;
    }
    console.log(`  ${name}: ours ${ours}; dotenv ${JSON.stringify(parse(text))}`);
  }
}

function router(): void {
  console.log("The runtime API's route table vs find-my-way");
  const findMyWay = load('find-my-way') as (options?: object) => Router;
  const id = '(?<id>[^/]+)';
  const table: Array<[string, RegExp, string]> = [
    ['GET', /^\/healthz$/, '/healthz'], ['GET', /^\/readyz$/, '/readyz'], ['GET', /^\/metrics$/, '/metrics'],
    ['POST', /^\/v1\/sessions$/, '/v1/sessions'], ['GET', /^\/v1\/sessions$/, '/v1/sessions'],
    ['GET', new RegExp(`^/v1/sessions/${id}$`), '/v1/sessions/:id'], ['DELETE', new RegExp(`^/v1/sessions/${id}$`), '/v1/sessions/:id'],
    ['POST', new RegExp(`^/v1/sessions/${id}/messages$`), '/v1/sessions/:id/messages'], ['GET', new RegExp(`^/v1/sessions/${id}/events$`), '/v1/sessions/:id/events'],
    ['POST', new RegExp(`^/v1/sessions/${id}/abort$`), '/v1/sessions/:id/abort'],
  ];
  const lib = findMyWay();
  for (const [method, , path] of table) lib.on(method, path, () => {});
  const requests: Array<[string, string]> = [['POST', '/v1/sessions/0b8e6c1e-8a37-4bb8-9d1f-6f0f2b1e0c11/messages'], ['GET', '/v1/sessions/0b8e6c1e-8a37-4bb8-9d1f-6f0f2b1e0c11/events'], ['GET', '/healthz']];
  const n = 300_000;
  const ours = median(`route table, ${n} requests`, 5, () => {
    for (let i = 0; i < n; i++) {
      const [method, path] = requests[i % 3]!;
      table.filter(([, pattern]) => pattern.test(path)).find(([m]) => m === method)?.[1].exec(path)?.groups;
    }
  });
  const found = median(`find-my-way, ${n} requests`, 5, () => {
    for (let i = 0; i < n; i++) lib.find(...requests[i % 3]!);
  });
  console.log(`  per request: ours ${((ours / n) * 1000).toFixed(2)} µs, find-my-way ${((found / n) * 1000).toFixed(2)} µs`);
}

function ipRanges(): void {
  console.log('policy/network/ip-range.ts vs ipaddr.js (IPv6), as the API server reads them');
  const ipaddr = load('ipaddr.js') as Ipaddr;
  for (const text of ['::1.2.3.4', '::ffff:0x0a.0.0.1', 'fe80::1%eth0']) {
    const ours = parseIpRange(text);
    const lib = ipaddr.IPv6.isValid(text) ? ipaddr.IPv6.parse(text).parts.map((p) => p.toString(16)).join(':') : 'invalid';
    console.log(`  ${text}: ours ${ours ? formatAddress(6, ours.start) : 'invalid'}; ipaddr.js ${lib}`);
  }
}

async function processTree(): Promise<void> {
  console.log('process-tree.ts vs tree-kill, for a CLI whose tools run in sessions of their own (setsid)');
  const treeKill = load('tree-kill') as TreeKill;
  const cli = async () => {
    const child = spawn('sh', ['-c', 'setsid sleep 30 & setsid sleep 30 & sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await sleep(300);
    return { pid: child.pid!, exited };
  };
  let start = performance.now();
  const first = await cli();
  const tree = descendants(first.pid);
  console.log(`  /proc walk: ${tree.length} descendants in ${(performance.now() - start - 300).toFixed(1)} ms`);
  start = performance.now();
  await killTree(first.pid, { exited: first.exited, graceMs: 1000 });
  console.log(`  killTree: done in ${(performance.now() - start).toFixed(0)} ms; alive afterwards ${tree.filter(isAlive).length}/${tree.length}`);
  // The grace period's case: the CLI exits on SIGTERM before its tools do; their parent is gone.
  const second = await cli();
  const orphans = descendants(second.pid);
  process.kill(second.pid, 'SIGKILL');
  await second.exited;
  start = performance.now();
  await new Promise<void>((resolve) => treeKill(second.pid, 'SIGKILL', () => resolve()));
  await sleep(100);
  const left = orphans.filter(isAlive);
  console.log(`  tree-kill after the CLI exited: ${(performance.now() - start - 100).toFixed(0)} ms; its tools still alive ${left.length}/${orphans.length}`);
  for (const p of left) process.kill(p.pid, 'SIGKILL');
}

yamlEmitter();
sseParser();
dotenvParser();
router();
ipRanges();
await processTree();
