/**
 * Postgres for stacks whose database runs in the cluster (kind): a one-replica StatefulSet
 * with its PVC, a ClusterIP Service, and a NetworkPolicy that admits only the runtime
 * controller's pods on 5432 and lets Postgres out to nothing but DNS. The password comes from
 * a Secret reference (created by the Pulumi program, never rendered). The paddock-system
 * Namespace and its default-deny policy belong to the runtime chart.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import type { KubeObject } from '../kube-object.ts';
import { GATEWAY_DATABASE_SETUP_JOB, GATEWAY_NAME, GATEWAY_NAMESPACE } from '../../config/model-gateway.ts';
import { PADDOCK_SYSTEM_NAMESPACE, POSTGRES_NAME, POSTGRES_PORT, POSTGRES_SECRET, POSTGRES_SECRET_PASSWORD_KEY, RUNTIME_NAME } from '../../config/names.ts';
import type { InClusterDatabaseSpec, PlatformSpec } from '../../config/platform-spec.ts';
import { componentLabels, selectorLabels } from '../builders/labels.ts';
import { DNS_PEER, DNS_PORTS, networkPolicy, tcpPorts } from '../builders/network-policy.ts';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../builders/security-context.ts';
import { PlatformChart, synthChart } from '../platform-chart.ts';
import { addClusterIpService } from '../workloads/cluster-ip-service.ts';
import { addFieldsBeyondCdk8sPlus } from '../workloads/fields-beyond-cdk8s-plus.ts';
import { selectPodsByLabels } from '../workloads/select-by-labels.ts';

export const POSTGRES_USER = 'paddock';
export const POSTGRES_DB = 'paddock';
export const POSTGRES_DATA_VOLUME = 'data';
export const POSTGRES_DATA_MOUNT = '/var/lib/postgresql/data';
/** A subdirectory: initdb refuses a non-empty directory, and a fresh volume may hold lost+found. */
export const PGDATA = `${POSTGRES_DATA_MOUNT}/pgdata`;

/** The `postgres` user of the official Alpine images. */
const POSTGRES_USER_ID = { uid: 70, gid: 70 };
const ns = PADDOCK_SYSTEM_NAMESPACE;

/** pg_isready over TCP: true only once the real server (not initdb's socket-only one) listens. */
function pgIsReady(periodSeconds: number, failureThreshold: number): kplus.Probe {
  return kplus.Probe.fromCommand(
    ['pg_isready', '--host=127.0.0.1', `--port=${POSTGRES_PORT}`, `--username=${POSTGRES_USER}`, `--dbname=${POSTGRES_DB}`],
    { periodSeconds: Duration.seconds(periodSeconds), timeoutSeconds: Duration.seconds(5), failureThreshold },
  );
}

/** ServiceAccount (no token), Service and StatefulSet: cdk8s-plus-30 constructs (ADR 0022). */
function addPostgresWorkload(chart: PlatformChart, database: InClusterDatabaseSpec): void {
  const labels = componentLabels(POSTGRES_NAME, 'database');
  const id = (kind: string) => PlatformChart.constructIdOf(kind, ns, POSTGRES_NAME);
  const account = new kplus.ServiceAccount(chart, id('ServiceAccount'), {
    metadata: { name: POSTGRES_NAME, namespace: ns, labels: { ...labels } },
    automountToken: false,
  });
  const service = addClusterIpService(chart, { namespace: ns, name: POSTGRES_NAME, labels, selector: selectorLabels(POSTGRES_NAME), port: { name: 'postgres', port: POSTGRES_PORT } });
  const volume = (name: string, options: kplus.EmptyDirVolumeOptions) => kplus.Volume.fromEmptyDir(chart, `${id('StatefulSet')}-volume-${name}`, name, options);
  const statefulSet = new kplus.StatefulSet(chart, id('StatefulSet'), {
    metadata: { name: POSTGRES_NAME, namespace: ns, labels: { ...labels } },
    select: false,
    podMetadata: { labels: { ...labels } },
    service,
    replicas: 1,
    strategy: kplus.StatefulSetUpdateStrategy.rollingUpdate(),
    serviceAccount: account,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurity(POSTGRES_USER_ID),
    terminationGracePeriod: Duration.seconds(60),
    containers: [{
      name: 'postgres',
      image: database.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: 'postgres', number: POSTGRES_PORT, protocol: kplus.Protocol.TCP }],
      envVariables: {
        POSTGRES_USER: kplus.EnvValue.fromValue(POSTGRES_USER),
        POSTGRES_DB: kplus.EnvValue.fromValue(POSTGRES_DB),
        POSTGRES_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(chart, `${id('StatefulSet')}-secret`, POSTGRES_SECRET), key: POSTGRES_SECRET_PASSWORD_KEY }),
        POSTGRES_HOST_AUTH_METHOD: kplus.EnvValue.fromValue('scram-sha-256'),
        POSTGRES_INITDB_ARGS: kplus.EnvValue.fromValue('--data-checksums'),
        PGDATA: kplus.EnvValue.fromValue(PGDATA),
      },
      // rendered verbatim as a field beyond cdk8s-plus; {} keeps cdk8s-plus from adding its defaults
      resources: {},
      // initdb on first start can take a while on slow disks; liveness only counts once this passes
      startup: pgIsReady(5, 60),
      liveness: pgIsReady(10, 6),
      readiness: pgIsReady(5, 3),
      // Kubernetes stops with SIGTERM, Postgres' "smart" shutdown that waits for every client (the
      // runtime's pool) to leave; start a fast, clean shutdown first. --no-wait: the hook must not
      // outlive the server it stops.
      lifecycle: { preStop: kplus.Handler.fromCommand(['pg_ctl', 'stop', '--mode=fast', '--no-wait']) },
      securityContext: restrictedContainerSecurity(POSTGRES_USER_ID),
      volumeMounts: [
        { path: '/var/run/postgresql', volume: volume('run', { sizeLimit: Size.mebibytes(16) }) },
        { path: '/tmp', volume: volume('tmp', { sizeLimit: Size.mebibytes(64) }) },
        // parallel query workers share memory through /dev/shm; the runtime's default 64 MiB is tight
        { path: '/dev/shm', volume: volume('shm', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(256) }) },
      ],
    }],
  });
  selectPodsByLabels(statefulSet, selectorLabels(POSTGRES_NAME));
  addFieldsBeyondCdk8sPlus(statefulSet, {
    spec: {
      revisionHistoryLimit: 5,
      // the data outlives the StatefulSet: deleting the chart never deletes the database
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [
        {
          metadata: { name: POSTGRES_DATA_VOLUME, labels: selectorLabels(POSTGRES_NAME) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(database.storageClassName ? { storageClassName: database.storageClassName } : {}),
            resources: { requests: { storage: database.storage } },
          },
        },
      ],
    },
    pod: { seccompProfile: { type: 'RuntimeDefault' }, nodeSelector: { 'kubernetes.io/os': 'linux' } },
    containers: {
      postgres: {
        resources: { requests: { ...database.resources.requests }, limits: { ...database.resources.limits } },
        terminationMessagePolicy: 'FallbackToLogsOnError',
        // the claim template's volume, which is no pod volume cdk8s-plus could mount
        claimVolumeMounts: [{ name: POSTGRES_DATA_VOLUME, mountPath: POSTGRES_DATA_MOUNT }],
      },
    },
  });
}

function postgresNetworkPolicy(spec: PlatformSpec): KubeObject {
  const inNamespace = (namespace: string, name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } }, podSelector: { matchLabels: selectorLabels(name) } });
  // the model gateway Paddock runs keeps its own database here, created by a Job in this namespace (ADR 0024)
  const gateway = spec.platform.modelGateway.deploy ? [inNamespace(ns, GATEWAY_DATABASE_SETUP_JOB), inNamespace(GATEWAY_NAMESPACE, GATEWAY_NAME)] : [];
  return networkPolicy(
    ns,
    POSTGRES_NAME,
    {
      podSelector: { matchLabels: selectorLabels(POSTGRES_NAME) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [inNamespace(ns, RUNTIME_NAME), ...gateway],
          ports: tcpPorts([POSTGRES_PORT]),
        },
      ],
      egress: [{ to: [DNS_PEER], ports: DNS_PORTS }],
    },
    gateway.length > 0
      ? 'Postgres: ingress on 5432 from the runtime controller, the model gateway and its database setup Job only; egress to cluster DNS only.'
      : 'Postgres: ingress on 5432 from the runtime controller only; egress to cluster DNS only.',
  );
}

/** The in-cluster database's objects; nothing when the stack uses an external one (RDS). */
export function addPostgres(chart: PlatformChart, spec: PlatformSpec): void {
  const database = spec.platform.database;
  if (database.mode !== 'in-cluster') return;
  chart.addObjects([postgresNetworkPolicy(spec)]);
  addPostgresWorkload(chart, database);
}

/** The chart's objects as rendered; none when the stack uses an external database. */
export function postgresObjects(spec: PlatformSpec): KubeObject[] {
  if (spec.platform.database.mode !== 'in-cluster') return [];
  return synthChart('postgres', (chart) => addPostgres(chart, spec));
}
