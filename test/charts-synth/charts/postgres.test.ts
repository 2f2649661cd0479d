import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { postgresObjects } from '../../../charts-synth/charts/postgres.ts';
import { runtimeControllerObjects } from '../../../charts-synth/charts/runtime-controller.ts';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { synthChart } from '../../../charts-synth/platform-chart.ts';
import { shippedSpec, validate } from '../../support/fixtures.ts';

const run = promisify(execFile);
const NS = 'paddock-system';
const NAME = 'paddock-postgres';

const MODELS: Record<string, new (data: never) => { validate(): void }> = { Service, ServiceAccount, StatefulSet, NetworkPolicy };

function find<T>(objects: readonly KubeObject[], kind: string, name: string): T {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0] as unknown as T;
}

const localSpec = shippedSpec('local');
const local = postgresObjects(localSpec);
const statefulSet = find<IStatefulSet>(local, 'StatefulSet', NAME);
const pod = statefulSet.spec!.template;
const container = pod.spec!.containers[0]!;

describe('postgres objects', () => {
  it('are rendered only for an in-cluster database', () => {
    expect(shippedSpec('prod').platform.database.mode).toBe('external');
    expect(postgresObjects(shippedSpec('prod'))).toEqual([]);
    expect(local.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      `NetworkPolicy ${NS}/${NAME}`,
      `Service ${NS}/${NAME}`,
      `ServiceAccount ${NS}/${NAME}`,
      `StatefulSet ${NS}/${NAME}`,
    ]);
  });

  it('every object validates against the Kubernetes schema (kubernetes-models)', () => {
    for (const object of local) {
      const Model = MODELS[object.kind];
      expect(Model, `no model for ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('is deterministic and survives cdk8s synthesis unchanged', () => {
    expect(JSON.stringify(postgresObjects(localSpec))).toBe(JSON.stringify(local));
    expect(synthChart('postgres', local)).toEqual(local);
  });

  it('never renders a password: only the Secret reference', () => {
    const rendered = JSON.stringify(local);
    expect(container.env!.find((e) => e.name === 'POSTGRES_PASSWORD')).toEqual({
      name: 'POSTGRES_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'paddock-postgres-auth', key: 'password' } },
    });
    expect(container.env!.filter((e) => /PASSWORD|SECRET|TOKEN/.test(e.name) && e.value !== undefined)).toEqual([]);
    expect(rendered).not.toMatch(/"kind":"Secret"/);
  });
});

describe('StatefulSet', () => {
  it('runs one replica of the stack\'s image with its resources', () => {
    const database = localSpec.platform.database;
    if (database.mode !== 'in-cluster') throw new Error('local stack should use an in-cluster database');
    expect(statefulSet.spec!.replicas).toBe(1);
    expect(statefulSet.spec!.serviceName).toBe(NAME);
    expect(container.image).toBe(database.image);
    expect(container.image).toMatch(/^docker\.io\/library\/postgres:\d+\.\d+-alpine/);
    expect(container.resources).toEqual({ requests: database.resources.requests, limits: database.resources.limits });
  });

  it('creates user and database paddock, data in a subdirectory of the volume', () => {
    const env = Object.fromEntries(container.env!.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    expect(env).toEqual({
      POSTGRES_USER: 'paddock',
      POSTGRES_DB: 'paddock',
      POSTGRES_HOST_AUTH_METHOD: 'scram-sha-256',
      POSTGRES_INITDB_ARGS: '--data-checksums',
      PGDATA: '/var/lib/postgresql/data/pgdata',
    });
    expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
  });

  it('runs restricted as the image\'s postgres user (70) on a read-only root with emptyDir scratch paths', () => {
    expect(pod.spec!.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 70, runAsGroup: 70, fsGroup: 70, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 70, runAsGroup: 70, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    const volumes = new Map(pod.spec!.volumes!.map((v) => [v.name, v]));
    const mounts = new Map(container.volumeMounts!.map((m) => [m.mountPath, m.name]));
    for (const path of ['/var/run/postgresql', '/tmp', '/dev/shm']) {
      expect(volumes.get(mounts.get(path)!)?.emptyDir, path).toBeDefined();
    }
    expect(volumes.get('shm')!.emptyDir!.medium).toBe('Memory');
    expect(pod.spec!.volumes!.every((v) => v.hostPath === undefined)).toBe(true);
  });

  it('has its own ServiceAccount and no API token', () => {
    expect(pod.spec!.serviceAccountName).toBe(NAME);
    expect(pod.spec!.automountServiceAccountToken).toBe(false);
    expect(find<KubeObject>(local, 'ServiceAccount', NAME).automountServiceAccountToken).toBe(false);
  });

  it('claims storage from the stack, with the storage class only when set, and keeps it on delete', () => {
    expect(statefulSet.spec!.volumeClaimTemplates).toEqual([
      { metadata: { name: 'data', labels: { 'app.kubernetes.io/name': NAME } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } },
    ]);
    expect(statefulSet.spec!.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    const withClass = validate({
      'paddock:platform': {
        environment: 'kind', clusterName: 'test', modelGateway: { url: 'http://gw.example:4000', cidrs: ['203.0.113.0/24'] },
        database: { mode: 'in-cluster', storage: '20Gi', storageClassName: 'fast-ssd', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } },
      },
      'paddock:teams': [],
    });
    const s = find<IStatefulSet>(postgresObjects(withClass), 'StatefulSet', NAME);
    expect(s.spec!.volumeClaimTemplates![0]!.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '20Gi' } } });
    expect(s.spec!.template.spec!.containers[0]!.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
  });

  it('probes with pg_isready over TCP, with a start-up allowance for initdb', () => {
    const command = ['pg_isready', '--host=127.0.0.1', '--port=5432', '--username=paddock', '--dbname=paddock'];
    for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) expect(probe!.exec!.command).toEqual(command);
    expect(container.startupProbe!.periodSeconds! * container.startupProbe!.failureThreshold!).toBeGreaterThanOrEqual(300);
  });
});

describe('Service and NetworkPolicy', () => {
  it('a ClusterIP Service on 5432 targeting the container port', () => {
    const service = find<IService>(local, 'Service', NAME);
    expect(service.spec!.type).toBe('ClusterIP');
    expect(service.spec!.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 'postgres', protocol: 'TCP' }]);
    expect(container.ports).toEqual([{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }]);
    expect(pod.metadata!.labels).toMatchObject(service.spec!.selector!);
  });

  it('admits only the runtime controller\'s pods, the model gateway and its database Job on 5432 and lets Postgres out to DNS only', () => {
    const policy = find<INetworkPolicy>(local, 'NetworkPolicy', NAME).spec!;
    expect(pod.metadata!.labels).toMatchObject(policy.podSelector.matchLabels!);
    expect(pod.metadata!.labels!['app.kubernetes.io/name']).toBe('paddock-postgres');
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.ingress).toEqual([
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'paddock-runtime' } } },
          // the local stack runs the model gateway (ADR 0024): its database setup Job and its pods
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'litellm-database-setup' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'paddock-gateway' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'litellm' } } },
        ],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
    expect(policy.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
    ]);
  });

  it('the runtime controller\'s pods are the ones admitted, and its egress reaches these pods', () => {
    const runtime = runtimeControllerObjects(localSpec);
    const runtimePodLabels = find<IDeployment>(runtime, 'Deployment', 'paddock-runtime').spec!.template.metadata!.labels!;
    const policy = find<INetworkPolicy>(local, 'NetworkPolicy', NAME).spec!;
    expect(runtimePodLabels).toMatchObject(policy.ingress![0]!.from![0]!.podSelector!.matchLabels!);
    const runtimeEgress = find<INetworkPolicy>(runtime, 'NetworkPolicy', 'paddock-runtime').spec!.egress!;
    const toPostgres = runtimeEgress.filter((rule) => rule.ports?.some((p) => p.port === 5432));
    expect(toPostgres.some((rule) => rule.to?.some((peer) => Object.entries(peer.podSelector?.matchLabels ?? {}).every(([k, v]) => pod.metadata!.labels![k] === v)))).toBe(true);
  });
});

// The probe and preStop commands, run against a real Postgres (the system's PostgreSQL 15):
// the flags must exist, the probe must fail while the server is down, and the preStop hook
// must stop a server that still has a client connected.
const PG_BIN = '/usr/lib/postgresql/15/bin';
const isRoot = process.getuid?.() === 0;
const hasPostgres = existsSync(join(PG_BIN, 'postgres'));
if (!hasPostgres) console.warn(`skipping the real-Postgres probe tests: no PostgreSQL 15 binaries in ${PG_BIN}`);
describe.skipIf(!hasPostgres)('probe and shutdown commands against a real Postgres (skipped without PostgreSQL 15 binaries)', () => {
  let dir = '';
  let pgdata = '';
  let port = 0;
  const env = () => ({ ...process.env, PATH: `${PG_BIN}:${process.env.PATH ?? ''}`, PGDATA: pgdata });
  const asPostgres = (command: string[]) => (isRoot ? ['runuser', ['-u', 'postgres', '--', 'env', `PATH=${PG_BIN}:/usr/bin:/bin`, `PGDATA=${pgdata}`, ...command]] as const : [command[0]!, command.slice(1)] as const);
  const withPort = (command: readonly string[]) => command.map((arg) => (arg === '--port=5432' ? `--port=${port}` : arg));

  async function exitCode(file: string, args: readonly string[]): Promise<number> {
    try {
      await run(file, [...args], { env: env(), timeout: 30_000 });
      return 0;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'number') return code;
      throw error;
    }
  }

  beforeAll(async () => {
    port = await new Promise<number>((resolve, reject) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
      });
    });
    dir = mkdtempSync(join(tmpdir(), 'paddock-pg-'));
    const mount = join(dir, 'data');
    pgdata = join(mount, 'pgdata');
    mkdirSync(mount);
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'pwfile'), 'test-only-password\n');
    if (isRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      for (const p of [dir, mount, join(dir, 'run'), join(dir, 'pwfile')]) chownSync(p, Number(stdout.trim()), Number(gid.trim()));
    }
    chmodSync(dir, 0o700);
    const initdbArgs = container.env!.find((e) => e.name === 'POSTGRES_INITDB_ARGS')!.value!.split(' ');
    const [initFile, initArgs] = asPostgres(['initdb', `--username=paddock`, `--pwfile=${join(dir, 'pwfile')}`, ...initdbArgs]);
    await run(initFile, [...initArgs], { env: env(), timeout: 120_000 });
  }, 180_000);

  afterAll(async () => {
    if (pgdata && existsSync(join(pgdata, 'postmaster.pid'))) {
      const [file, args] = asPostgres(['pg_ctl', 'stop', '--mode=immediate', '--wait']);
      await run(file, [...args], { env: env(), timeout: 30_000 }).catch(() => undefined);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('initdb accepted POSTGRES_INITDB_ARGS: data checksums are on', async () => {
    const { stdout } = await run(join(PG_BIN, 'pg_controldata'), [pgdata], { env: env() });
    expect(stdout).toMatch(/Data page checksum version:\s+1/);
  });

  it('the probe fails while Postgres is down, passes once it listens, and preStop stops it despite a connected client', async () => {
    const probe = container.readinessProbe!.exec!.command!;
    expect(probe).toEqual(container.livenessProbe!.exec!.command);
    expect(await exitCode(join(PG_BIN, probe[0]!), withPort(probe.slice(1)))).toBe(2); // no response

    const [startFile, startArgs] = asPostgres(['pg_ctl', 'start', '--wait', `--log=${join(dir, 'postgres.log')}`, `--options=-p ${port} -k ${join(dir, 'run')} -c listen_addresses=127.0.0.1`]);
    await run(startFile, [...startArgs], { env: env(), timeout: 60_000 });
    expect(await exitCode(join(PG_BIN, probe[0]!), withPort(probe.slice(1)))).toBe(0);

    const client = new pg.Client({ host: '127.0.0.1', port, user: 'paddock', database: 'postgres', password: 'test-only-password' });
    await client.connect();
    client.on('error', () => undefined); // the server ends this session on shutdown
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

    const preStop = container.lifecycle!.preStop!.exec!.command!;
    const [stopFile, stopArgs] = asPostgres(preStop);
    await run(stopFile, [...stopArgs], { env: env(), timeout: 30_000 });
    let stopped = false;
    for (let i = 0; i < 100 && !stopped; i++) {
      stopped = !existsSync(join(pgdata, 'postmaster.pid'));
      if (!stopped) await new Promise((r) => setTimeout(r, 100));
    }
    await client.end().catch(() => undefined);
    expect(stopped).toBe(true);
    expect(await exitCode(join(PG_BIN, probe[0]!), withPort(probe.slice(1)))).toBe(2);
  }, 120_000);
});
