/**
 * Postgres for stacks whose database runs in the cluster (kind): a one-replica StatefulSet
 * with its PVC, a ClusterIP Service, and a NetworkPolicy that admits only the runtime
 * controller's pods on 5432 and lets Postgres out to nothing but DNS. The password comes from
 * a Secret reference (created by the Pulumi program, never rendered). The paddock-system
 * Namespace and its default-deny policy belong to the runtime chart.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { KubeObject } from '../kube-object.ts';
import { PADDOCK_SYSTEM_NAMESPACE, POSTGRES_NAME, POSTGRES_PORT, POSTGRES_SECRET, POSTGRES_SECRET_PASSWORD_KEY, RUNTIME_NAME } from '../../config/names.ts';
import type { InClusterDatabaseSpec, PlatformSpec } from '../../config/platform-spec.ts';
import { componentLabels, selectorLabels } from '../builders/labels.ts';
import { DNS_PEER, DNS_PORTS, networkPolicy, tcpPorts } from '../builders/network-policy.ts';
import { assertValidPodTemplate } from '../builders/object-validation.ts';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../builders/security-context.ts';
import { clusterIpService } from '../builders/service.ts';
import { serviceAccount } from '../builders/service-account.ts';

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
function pgIsReady(periodSeconds: number, failureThreshold: number): IProbe {
  return {
    exec: { command: ['pg_isready', '--host=127.0.0.1', `--port=${POSTGRES_PORT}`, `--username=${POSTGRES_USER}`, `--dbname=${POSTGRES_DB}`] },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  };
}

function postgresPodTemplate(database: InClusterDatabaseSpec): IPodTemplateSpec {
  const container: IContainer = {
    name: 'postgres',
    image: database.image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'postgres', containerPort: POSTGRES_PORT, protocol: 'TCP' }],
    env: [
      { name: 'POSTGRES_USER', value: POSTGRES_USER },
      { name: 'POSTGRES_DB', value: POSTGRES_DB },
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: POSTGRES_SECRET, key: POSTGRES_SECRET_PASSWORD_KEY } } },
      { name: 'POSTGRES_HOST_AUTH_METHOD', value: 'scram-sha-256' },
      { name: 'POSTGRES_INITDB_ARGS', value: '--data-checksums' },
      { name: 'PGDATA', value: PGDATA },
    ],
    resources: { requests: { ...database.resources.requests }, limits: { ...database.resources.limits } },
    // initdb on first start can take a while on slow disks; liveness only counts once this passes
    startupProbe: pgIsReady(5, 60),
    livenessProbe: pgIsReady(10, 6),
    readinessProbe: pgIsReady(5, 3),
    // Kubernetes stops with SIGTERM, Postgres' "smart" shutdown that waits for every client (the
    // runtime's pool) to leave; start a fast, clean shutdown first. --no-wait: the hook must not
    // outlive the server it stops.
    lifecycle: { preStop: { exec: { command: ['pg_ctl', 'stop', '--mode=fast', '--no-wait'] } } },
    securityContext: restrictedContainerSecurityContext(POSTGRES_USER_ID),
    volumeMounts: [
      { name: POSTGRES_DATA_VOLUME, mountPath: POSTGRES_DATA_MOUNT },
      { name: 'run', mountPath: '/var/run/postgresql' },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'shm', mountPath: '/dev/shm' },
    ],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  return {
    metadata: { labels: componentLabels(POSTGRES_NAME, 'database') },
    spec: {
      serviceAccountName: POSTGRES_NAME,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: restrictedPodSecurityContext(POSTGRES_USER_ID),
      terminationGracePeriodSeconds: 60,
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      containers: [container],
      volumes: [
        { name: 'run', emptyDir: { sizeLimit: '16Mi' } },
        { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
        // parallel query workers share memory through /dev/shm; the runtime's default 64 MiB is tight
        { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } },
      ],
    },
  };
}

function postgresNetworkPolicy(): KubeObject {
  return networkPolicy(
    ns,
    POSTGRES_NAME,
    {
      podSelector: { matchLabels: selectorLabels(POSTGRES_NAME) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: selectorLabels(RUNTIME_NAME) } }],
          ports: tcpPorts([POSTGRES_PORT]),
        },
      ],
      egress: [{ to: [DNS_PEER], ports: DNS_PORTS }],
    },
    'Postgres: ingress on 5432 from the runtime controller only; egress to cluster DNS only.',
  );
}

/** Objects of the in-cluster database; none when the stack uses an external one (RDS). */
export function postgresObjects(spec: PlatformSpec): KubeObject[] {
  const database = spec.platform.database;
  if (database.mode !== 'in-cluster') return [];
  const labels = componentLabels(POSTGRES_NAME, 'database');
  const podTemplate = postgresPodTemplate(database);
  assertValidPodTemplate(`StatefulSet ${ns}/${POSTGRES_NAME}`, podTemplate);
  return [
    postgresNetworkPolicy(),
    serviceAccount(ns, POSTGRES_NAME, labels, false),
    clusterIpService(ns, POSTGRES_NAME, labels, { name: 'postgres', port: POSTGRES_PORT }),
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: POSTGRES_NAME, namespace: ns, labels },
      spec: {
        replicas: 1,
        serviceName: POSTGRES_NAME,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(POSTGRES_NAME) },
        updateStrategy: { type: 'RollingUpdate' },
        // the data outlives the StatefulSet: deleting the chart never deletes the database
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: podTemplate,
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
    },
  ];
}
