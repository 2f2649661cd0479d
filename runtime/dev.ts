/**
 * Dev mode (`paddock dev`, `npm run dev`): the runtime on this machine with embedded Postgres
 * (data under <data-dir>/postgres, kept across restarts), the local sandbox driver and, for
 * every team of the stack, the scripted harness besides the harnesses it declares (those run
 * their real adapters when installed, otherwise their sessions fail with a clear error).
 * Tokens are issued once and kept in <data-dir>/tokens.json.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/errors.ts';
import { buildRuntimeConfig } from '../config/runtime-config.ts';
import { loadPlatformSpec } from '../config/stack-file.ts';
import { loadHarnessRegistry } from '../harnesses/registry.ts';
import { devTokenHashes, ensureDevTokens, RuntimeInputError, type DevTokens } from './config-files.ts';
import { EmbeddedPostgresError, startEmbeddedPostgres, type RunningPostgres } from './db/embedded.ts';
import { MigrationError } from './db/migrate.ts';
import { withScriptedHarness, DEV_HARNESS } from './dev-config.ts';
import { LocalDriver } from './drivers/local/local-driver.ts';
import { createLogger, type Logger } from './log.ts';
import { loopbackPortProblem } from './net.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { startRuntimeTracing } from './telemetry/tracing.ts';

export interface DevOptions {
  readonly stack: string;
  /** API port on 127.0.0.1 (0 picks a free one) */
  readonly port: number;
  readonly dataDir: string;
  /** default: the repository's stacks/ */
  readonly stacksDir?: string;
  readonly harnessesDir?: string;
  /** where the banner goes (default stdout) */
  readonly print?: (text: string) => void;
  readonly log?: Logger;
}

export interface DevInfo {
  readonly url: string;
  readonly tokens: DevTokens;
  readonly tokensFile: string;
  readonly dataDir: string;
}

export interface DevRuntime {
  readonly info: DevInfo;
  readonly runtime: Runtime;
  close(): Promise<void>;
}

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATABASE = 'paddock';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One dev runtime per data dir: a second one would fight over the same Postgres cluster. */
function takeLock(dataDir: string): () => void {
  const lock = join(dataDir, 'dev.pid');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new RuntimeInputError(`another paddock dev (pid ${pid}) is using ${dataDir}; stop it or pass another --data-dir`);
    }
  }
  writeFileSync(lock, `${process.pid}\n`);
  return () => rmSync(lock, { force: true });
}

function portError(port: number, code: string): RuntimeInputError {
  return code === 'EACCES'
    ? new RuntimeInputError(`port ${port} needs privileges this user lacks; pass --port with a port from 1024 up (--port 0 picks a free one)`)
    : new RuntimeInputError(`port ${port} on 127.0.0.1 is in use (another paddock dev, or another program); pass another --port (--port 0 picks a free one)`);
}

function assertPortUsable(port: number, problem: { code: string; message: string } | undefined): void {
  if (!problem) return;
  if (problem.code === 'EADDRINUSE' || problem.code === 'EACCES') throw portError(port, problem.code);
  throw new RuntimeInputError(`cannot listen on 127.0.0.1:${port}: ${problem.message}`);
}

/** Starts dev mode and returns once the API is ready (used by runDev and by tests). */
export async function startDev(options: DevOptions): Promise<DevRuntime> {
  const log = options.log ?? createLogger({ format: 'text', level: process.env.PADDOCK_LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  const dataDir = resolve(options.dataDir);
  const stacksDir = options.stacksDir ?? join(REPO_ROOT, 'stacks');
  const registry = loadHarnessRegistry(options.harnessesDir);
  const spec = loadPlatformSpec(join(stacksDir, `Pulumi.${options.stack}.yaml`), registry);
  const config = withScriptedHarness(buildRuntimeConfig(spec), registry);
  const teams = config.teams.map((t) => t.name);

  mkdirSync(dataDir, { recursive: true });
  const unlock = takeLock(dataDir);
  try {
    // before Postgres starts: a taken port fails in a moment, not after the database is up
    if (options.port > 0) assertPortUsable(options.port, await loopbackPortProblem(options.port));
  } catch (error) {
    unlock();
    throw error;
  }
  let postgres: RunningPostgres | undefined;
  let driver: LocalDriver | undefined;
  try {
    const tokensFile = join(dataDir, 'tokens.json');
    const tokens = ensureDevTokens(tokensFile, teams);
    const gateway = process.env.PADDOCK_MODEL_GATEWAY_URL ? { url: process.env.PADDOCK_MODEL_GATEWAY_URL, fromStack: false } : { url: config.modelGatewayUrl, fromStack: true };
    postgres = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), log: (line) => log.info(line) });
    await postgres.createDatabase(DATABASE);
    driver = new LocalDriver({
      registry,
      ...(options.harnessesDir ? { harnessesDir: options.harnessesDir } : {}),
      workDir: join(dataDir, 'sandboxes'),
      // the stack's gateway URL is usually an in-cluster name; let a local one override it
      modelGatewayUrl: gateway.url,
      log: log.child('local-driver'),
    });
    // OTEL_EXPORTER_OTLP_ENDPOINT set: traces to a local collector (off and SDK-free otherwise)
    const tracing = await startRuntimeTracing();
    if (tracing.enabled) log.info(tracing.description);
    const runtime = await startRuntime({
      config,
      databaseUrl: postgres.url(DATABASE),
      driver,
      tokenHashes: devTokenHashes(tokens, teams),
      port: options.port,
      host: '127.0.0.1',
      replicaName: 'dev',
      log,
    });
    await runtime.ready;
    const info: DevInfo = { url: runtime.url, tokens, tokensFile, dataDir };
    const print = options.print ?? ((text: string) => process.stdout.write(text));
    print(banner(info, config.teams.map((t) => ({ name: t.name, harnesses: t.harnesses.map((h) => ({ name: h.name, unavailable: driver!.unavailableReason(h.name) })) })), gateway));
    const pg = postgres;
    return {
      info,
      runtime,
      async close() {
        await runtime.close({ drainMs: 5_000 });
        await tracing.shutdown();
        // the runtime's connections are closing: let them finish before the server goes
        await pg.stop({ graceMs: 2_000 });
        unlock();
      },
    };
  } catch (error) {
    // a program took the port between the check and the listen
    const { code, syscall } = error as NodeJS.ErrnoException;
    if (syscall === 'listen' && (code === 'EADDRINUSE' || code === 'EACCES')) error = portError(options.port, code);
    await driver?.close().catch(() => undefined);
    await postgres?.stop().catch(() => undefined);
    unlock();
    throw error;
  }
}

function banner(info: DevInfo, teams: ReadonlyArray<{ name: string; harnesses: ReadonlyArray<{ name: string; unavailable: string | undefined }> }>, gateway: { url: string; fromStack: boolean }): string {
  const first = teams[0]?.name;
  const lines = [
    '',
    `Paddock dev runtime ready at ${info.url}`,
    `  web console: open ${info.url}/ and sign in with a token below`,
    `  data: ${info.dataDir} (tokens in ${info.tokensFile})`,
    gateway.fromStack
      ? `  model gateway: ${gateway.url} (the stack's; agents other than "${DEV_HARNESS}" need one this machine reaches: set PADDOCK_MODEL_GATEWAY_URL)`
      : `  model gateway: ${gateway.url} (PADDOCK_MODEL_GATEWAY_URL)`,
    `  admin token: ${info.tokens.admin}`,
    ...teams.map((t) => `  team ${t.name}: ${info.tokens.teams[t.name]}\n    harnesses: ${t.harnesses.map((h) => (h.unavailable ? `${h.name} (not runnable here: ${h.unavailable})` : h.name)).join(', ')}`),
    '',
    ...(first
      ? [
          'Try it:',
          `  TOKEN=$(node -p 'require("${info.tokensFile}").teams["${first}"]')`,
          `  SESSION=$(curl -s -X POST ${info.url}/v1/sessions -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"harness":"${DEV_HARNESS}"}' | node -p 'JSON.parse(require("fs").readFileSync(0)).session.id')`,
          `  curl -s -X POST ${info.url}/v1/sessions/$SESSION/messages -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"text":"hello"}'`,
          `  curl -N ${info.url}/v1/sessions/$SESSION/events -H "authorization: Bearer $TOKEN" -H 'accept: text/event-stream'`,
          '',
        ]
      : []),
    'The local driver isolates nothing: agents run as your user. Ctrl-C stops everything; data stays.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `paddock dev`: runs until SIGINT/SIGTERM, then shuts down cleanly. Resolves with the exit
 * code: 0 after a clean stop, 1 when it could not start (the reason is printed).
 */
export async function runDev(options: DevOptions): Promise<number> {
  let dev: DevRuntime;
  try {
    dev = await startDev(options);
  } catch (error) {
    if (error instanceof ConfigError) process.stderr.write(`paddock dev: invalid stack "${options.stack}":\n${error.lines.map((l) => `  ${l}`).join('\n')}\n`);
    else if (error instanceof RuntimeInputError || error instanceof MigrationError || error instanceof EmbeddedPostgresError) process.stderr.write(`paddock dev: ${error.message}\n`);
    else process.stderr.write(`paddock dev: could not start: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
  let stoppingSince = 0;
  const onSignal = () => {
    // the same Ctrl-C often arrives twice (from the terminal, and forwarded by npm): only a
    // later one means "stop now"
    if (Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
    process.stderr.write('paddock dev: stopping now without waiting; running turns are reported at the next start\n');
    process.exit(130);
  };
  await new Promise<void>((resolveStop) => {
    const first = () => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      stoppingSince = Date.now();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      resolveStop();
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
  process.stdout.write('\nstopping (running turns get 5 s to finish; Ctrl-C again to stop at once)...\n');
  try {
    await dev.close();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}

const DUPLICATE_SIGNAL_MS = 1_000;
