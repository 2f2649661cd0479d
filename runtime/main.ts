/**
 * Production entry of the runtime controller (the container's command):
 *   PADDOCK_CONFIG            path of config.json from the ConfigMap paddock-runtime-config
 *   PADDOCK_API_AUTH_DIR      the mounted Secret paddock-api-token-hashes (admin, team.<name>)
 *   DATABASE_URL              postgres://... (Secret paddock-database, key url)
 *   PADDOCK_DRIVER            kubernetes (default) | local
 *   PORT                      API port (default 8080)
 *   POD_NAME                  this replica's name (lease owner prefix; default: hostname)
 *   PADDOCK_LOG_FORMAT        json (default) | text;  PADDOCK_LOG_LEVEL info (default) | debug
 *   PADDOCK_DRAIN_SECONDS     on SIGTERM, how long running turns may finish (default 45)
 *   PADDOCK_LEASE_SECONDS     turn lease (default 15); PADDOCK_WORK_DIR local sandboxes' dir
 *   PADDOCK_AUTH_RELOAD_SECONDS  how often the token hashes directory is re-read (default 10)
 *   PADDOCK_WARM_SESSION_SECONDS how long after a turn a session's next turn skips the sandbox
 *                             check and the history read (default 30; 0: never)
 *   PADDOCK_MAX_CONCURRENT_TURNS turns this replica runs at once (default 64)
 *   PADDOCK_CLAIM_READY_SECONDS  how long a SandboxClaim may take to be Ready (default 180)
 *   KUBECONFIG                a kubeconfig file for the kubernetes driver (default: the pod's
 *                             service account; pods never set it)
 *   PADDOCK_GATEWAY_ADMIN_DIR the mounted Secret paddock-gateway-admin (masterKey, team-<name>):
 *                             with an in-cluster gateway (config gatewayKeys) the runtime keeps
 *                             its teams and keys reconciled (runtime/gateway, ADR 0025)
 *   OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) and the other standard OTEL_* variables:
 *                             traces over OTLP/HTTP; off without an endpoint (docs/runtime.md)
 * Exits 78 (EX_CONFIG) on invalid input, 1 when the database schema cannot be trusted.
 */
import { RUNTIME_ENV, RUNTIME_PORT } from '../config/names.ts';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import type { Registry } from 'prom-client';
import { readTokenHashesDir, type TokenHashes } from './auth.ts';
import { readRuntimeConfigFile, RuntimeInputError } from './config-files.ts';
import { MigrationError } from './db/migrate.ts';
import type { SandboxDriver } from './drivers/sandbox-driver.ts';
import { createLogger, errorMessage, type Logger, type LogLevel } from './log.ts';
import { startRuntime } from './runtime.ts';
import { startRuntimeTracing } from './telemetry/tracing.ts';
import { TracingConfigError, type Tracing } from '../harnesses/protocol/tracing.ts';
import { watchTokenHashes } from './token-hashes-watcher.ts';
import { GatewayMetrics } from './gateway/gateway-metrics.ts';
import { startGatewayReconciler, type GatewayReconciler } from './gateway/reconciler.ts';

const EX_CONFIG = 78;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new RuntimeInputError(`environment variable ${name} is required`);
  return value;
}

function numberEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new RuntimeInputError(`environment variable ${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  return n;
}

function positiveIntegerEnv(name: string, fallback: number): number {
  const n = numberEnv(name, fallback);
  if (!Number.isInteger(n) || n < 1) throw new RuntimeInputError(`environment variable ${name} must be a whole number of at least 1, got ${JSON.stringify(process.env[name])}`);
  return n;
}

async function createDriver(kind: string, log: Logger, modelGatewayUrl: string, sandboxLifetimeSeconds: number | undefined): Promise<SandboxDriver> {
  if (kind === 'kubernetes') {
    const { KubernetesSandboxDriver } = await import('./drivers/kubernetes/kubernetes-driver.ts');
    const { kubeConfigFromEnvironment } = await import('./drivers/kubernetes/kube-config.ts');
    const driverLog = log.child('kubernetes');
    const readySeconds = numberEnv('PADDOCK_CLAIM_READY_SECONDS', 180);
    if (readySeconds <= 0) throw new RuntimeInputError(`environment variable PADDOCK_CLAIM_READY_SECONDS must be more than 0, got ${JSON.stringify(process.env.PADDOCK_CLAIM_READY_SECONDS)}`);
    let kubeConfig;
    try {
      kubeConfig = kubeConfigFromEnvironment();
    } catch (error) {
      throw new RuntimeInputError(errorMessage(error));
    }
    return new KubernetesSandboxDriver({
      kubeConfig,
      readyTimeoutMs: readySeconds * 1000,
      ...(sandboxLifetimeSeconds ? { sandboxLifetimeSeconds } : {}),
      log: (level, message, fields) => driverLog[level](message, fields),
    });
  }
  if (kind === 'local') {
    const { LocalDriver } = await import('./drivers/local/local-driver.ts');
    const { loadHarnessRegistry } = await import('../harnesses/registry.ts');
    return new LocalDriver({ registry: loadHarnessRegistry(), workDir: process.env.PADDOCK_WORK_DIR ?? '/tmp/paddock-sandboxes', modelGatewayUrl, log: log.child('local-driver') });
  }
  throw new RuntimeInputError(`${RUNTIME_ENV.driver} must be "kubernetes" or "local", got ${JSON.stringify(kind)}`);
}

/** With an in-cluster gateway, keeps its teams and keys as the config says (ADR 0025). */
function startGatewayKeys(config: RuntimeConfig, registry: Registry, log: Logger): GatewayReconciler | undefined {
  const keys = config.gatewayKeys;
  if (!keys) return undefined;
  const secretDir = process.env.PADDOCK_GATEWAY_ADMIN_DIR;
  if (!secretDir) {
    log.error('the model gateway runs in the cluster but PADDOCK_GATEWAY_ADMIN_DIR is not set: team gateway keys are not registered, so every model call of a sandbox is refused');
    return undefined;
  }
  const metrics = new GatewayMetrics(registry);
  return startGatewayReconciler({ gatewayUrl: config.modelGatewayUrl, stack: config.stack, teams: keys.teams, secretDir, log: log.child('gateway'), onPass: (result) => metrics.record(result) });
}

async function main(): Promise<number> {
  const level = (process.env.PADDOCK_LOG_LEVEL ?? 'info') as LogLevel;
  const log = createLogger({ format: process.env.PADDOCK_LOG_FORMAT === 'text' ? 'text' : 'json', level: ['debug', 'info', 'warn', 'error'].includes(level) ? level : 'info' });
  let runtime;
  let tokenHashesDir = '';
  let knownTeams: string[] = [];
  let startHashes: TokenHashes | undefined;
  let runtimeConfig: RuntimeConfig | undefined;
  let tracing: Tracing | undefined;
  try {
    // before anything is served: the first request is traced, and pg is instrumented
    tracing = await startRuntimeTracing();
    log.info(tracing.description);
    const config = readRuntimeConfigFile(required(RUNTIME_ENV.config));
    runtimeConfig = config;
    tokenHashesDir = required(RUNTIME_ENV.tokenHashesDir);
    knownTeams = config.teams.map((t) => t.name);
    const { hashes, unknownTeams } = readTokenHashesDir(tokenHashesDir, knownTeams);
    startHashes = hashes;
    if (unknownTeams.length > 0) log.warn('token hashes for teams the config does not know are ignored', { teams: unknownTeams });
    const databaseUrl = required(RUNTIME_ENV.databaseUrl);
    const port = numberEnv(RUNTIME_ENV.port, RUNTIME_PORT);
    const driver = await createDriver(process.env[RUNTIME_ENV.driver] ?? 'kubernetes', log, config.modelGatewayUrl, config.sandboxLifetimeSeconds);
    runtime = await startRuntime({
      config,
      databaseUrl,
      driver,
      tokenHashes: hashes,
      port,
      replicaName: process.env[RUNTIME_ENV.podName] || undefined,
      leaseMs: numberEnv('PADDOCK_LEASE_SECONDS', 15) * 1000,
      warmSessionMs: numberEnv('PADDOCK_WARM_SESSION_SECONDS', 30) * 1000,
      maxConcurrentTurns: positiveIntegerEnv('PADDOCK_MAX_CONCURRENT_TURNS', 64),
      log,
    });
  } catch (error) {
    log.error(`cannot start: ${errorMessage(error)}`);
    await tracing?.shutdown();
    return error instanceof RuntimeInputError || error instanceof TracingConfigError || (error as Error).name === 'TokenHashesError' ? EX_CONFIG : 1;
  }
  const started = runtime;
  const gateway = startGatewayKeys(runtimeConfig!, started.metrics.registry, log);
  const watcher = watchTokenHashes({ dir: tokenHashesDir, knownTeams, initial: startHashes!, intervalMs: numberEnv('PADDOCK_AUTH_RELOAD_SECONDS', 10) * 1000, onChange: (hashes) => started.setTokenHashes(hashes), log: log.child('auth') });
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const outcome = await Promise.race([runtime.ready.then(() => stopped), stopped]).catch((error: unknown) => error);
  if (outcome instanceof Error) {
    log.error(outcome instanceof MigrationError ? `refusing to start: ${outcome.message}` : `cannot start: ${errorMessage(outcome)}`);
    watcher.stop();
    await gateway?.stop();
    await runtime.close({ drainMs: 0 });
    await tracing?.shutdown();
    return 1;
  }
  watcher.stop();
  await gateway?.stop();
  log.info('shutting down', { signal: outcome });
  await runtime.close({ drainMs: numberEnv('PADDOCK_DRAIN_SECONDS', 45) * 1000 });
  // the last turns' spans are exported before the process exits
  await tracing?.shutdown();
  log.info('stopped');
  return 0;
}

// exit explicitly: an idle keep-alive socket must not keep a stopped runtime alive
process.exit(await main());
