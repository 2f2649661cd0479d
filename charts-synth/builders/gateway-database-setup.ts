/**
 * LiteLLM's own role and database on the platform's Postgres (ADR 0024), created by a Job in
 * paddock-system — the namespace that already holds the admin credentials (Secret
 * paddock-database) and the network path to the database (the in-cluster Postgres, or RDS from
 * the runtime's pod security group), so neither the credentials nor that path reach the
 * gateway's namespace. The Job is idempotent: it creates the role and database when missing,
 * and sets the role's password (from Secret litellm-database-setup) on every run.
 *
 * On RDS the connection verifies the server's certificate (verify-full) against the RDS CA
 * bundle, copied out of the runtime image (where its build checks its sha256) by an init
 * container, to the same path the runtime's DATABASE_URL names.
 */
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { KubeObject } from '../kube-object.ts';
import {
  GATEWAY_DATABASE_NAME, GATEWAY_DATABASE_ROLE, GATEWAY_DATABASE_SETUP_JOB, GATEWAY_DATABASE_SETUP_PASSWORD_KEY, GATEWAY_DATABASE_SETUP_SECRET,
} from '../../config/model-gateway.ts';
import { DATABASE_SECRET, DATABASE_SECRET_URL_KEY, PADDOCK_SYSTEM_NAMESPACE, POSTGRES_NAME, POSTGRES_PORT } from '../../config/names.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { DEFAULT_POSTGRES_IMAGE } from '../../config/versions/container-images.ts';
import { componentLabels, selectorLabels } from './labels.ts';
import { networkPolicy, tcpPorts } from './network-policy.ts';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security-context.ts';

/** Where the runtime image keeps the RDS CA bundle (infra/aws/rds-ca-bundle.ts pathInImage's directory). */
export const RDS_CA_DIR = '/opt/paddock/certs';
export const RDS_CA_FILE = `${RDS_CA_DIR}/rds-global-bundle.pem`;
/** The `postgres` user of the official Alpine images; psql needs no other. */
const POSTGRES_USER_ID = { uid: 70, gid: 70 };
const RUNTIME_USER_ID = { uid: 10001, gid: 10001 };

/**
 * psql script: variables come from the environment (\getenv), never from string building, and are
 * quoted by psql (:'x' literal, :"x" identifier). CREATE DATABASE cannot run in a DO block, hence
 * \gexec. From PostgreSQL 16 a role's creator holds it with ADMIN only; CREATE DATABASE … OWNER
 * needs SET on it, so the admin grants itself SET (never INHERIT: it does not take on the
 * role's privileges). RDS's master user is no superuser, so the role's attributes are the ones
 * a CREATEROLE holder may set.
 */
export const DATABASE_SETUP_SQL = [
  // psql 15+: read from the environment, so the password never is an argument
  '\\getenv role ROLE',
  '\\getenv db DB',
  '\\getenv password ROLE_PASSWORD',
  "SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec",
  "ALTER ROLE :\"role\" WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'password';",
  "SELECT format('GRANT %I TO CURRENT_USER WITH INHERIT FALSE, SET TRUE', :'role') WHERE NOT pg_has_role(CURRENT_USER, :'role', 'SET') \\gexec",
  "SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec",
  // as the owner: only an owner's REVOKE takes away PUBLIC's default CONNECT
  "SET ROLE :\"role\";",
  "REVOKE ALL ON DATABASE :\"db\" FROM PUBLIC;",
  'RESET ROLE;',
].join('\n');

const SETUP_SCRIPT = [
  'set -eu',
  `printf '%s\\n' "$SETUP_SQL" | psql "$ADMIN_DATABASE_URL" --no-psqlrc --quiet -v ON_ERROR_STOP=1`,
  'echo "role and database $DB ready"',
].join('\n');

export const SETUP_LABELS = componentLabels(GATEWAY_DATABASE_SETUP_JOB, 'model-gateway-database');

function setupImage(spec: PlatformSpec): string {
  const database = spec.platform.database;
  return database.mode === 'in-cluster' ? database.image : DEFAULT_POSTGRES_IMAGE;
}

/** On RDS: an init container that copies the CA bundle out of the runtime image into `volume`. */
export function rdsCaCopyContainer(spec: PlatformSpec, volume: string): IContainer {
  return {
    name: 'rds-ca-bundle',
    image: spec.platform.runtime.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['cp', RDS_CA_FILE, `/ca/${RDS_CA_FILE.split('/').at(-1)}`],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } },
    securityContext: restrictedContainerSecurityContext(RUNTIME_USER_ID),
    volumeMounts: [{ name: volume, mountPath: '/ca' }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

export function gatewayDatabaseSetupJob(spec: PlatformSpec): KubeObject {
  const rds = spec.platform.database.mode === 'external';
  const secretEnv = (name: string, secret: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: GATEWAY_DATABASE_SETUP_JOB, namespace: PADDOCK_SYSTEM_NAMESPACE, labels: { ...SETUP_LABELS } },
    spec: {
      backoffLimit: 10,
      activeDeadlineSeconds: 1200,
      template: {
        metadata: { labels: { ...SETUP_LABELS } },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(POSTGRES_USER_ID),
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          ...(rds ? { initContainers: [rdsCaCopyContainer(spec, 'rds-ca')] } : {}),
          containers: [{
            name: 'setup',
            image: setupImage(spec),
            imagePullPolicy: 'IfNotPresent',
            command: ['/bin/sh', '-c', SETUP_SCRIPT],
            env: [
              secretEnv('ADMIN_DATABASE_URL', DATABASE_SECRET, DATABASE_SECRET_URL_KEY),
              secretEnv('ROLE_PASSWORD', GATEWAY_DATABASE_SETUP_SECRET, GATEWAY_DATABASE_SETUP_PASSWORD_KEY),
              { name: 'ROLE', value: GATEWAY_DATABASE_ROLE },
              { name: 'DB', value: GATEWAY_DATABASE_NAME },
              { name: 'SETUP_SQL', value: DATABASE_SETUP_SQL },
              { name: 'HOME', value: '/tmp' },
            ],
            resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
            securityContext: restrictedContainerSecurityContext(POSTGRES_USER_ID),
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(rds ? [{ name: 'rds-ca', mountPath: RDS_CA_DIR, readOnly: true }] : [])],
            terminationMessagePolicy: 'FallbackToLogsOnError',
          }],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }, ...(rds ? [{ name: 'rds-ca', emptyDir: { sizeLimit: '4Mi' } }] : [])],
        },
      },
    },
  };
  return job as KubeObject;
}

/** The database as a NetworkPolicy peer: the in-cluster Postgres pods, or RDS in the VPC. */
export function databaseEgressRule(spec: PlatformSpec): INetworkPolicyEgressRule {
  if (spec.platform.database.mode === 'in-cluster') {
    return {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': PADDOCK_SYSTEM_NAMESPACE } }, podSelector: { matchLabels: selectorLabels(POSTGRES_NAME) } }],
      ports: tcpPorts([POSTGRES_PORT]),
    };
  }
  // RDS lives in the VPC's private subnets; it admits these pods by their security group (ADR 0017, 0024)
  return { to: [{ ipBlock: { cidr: spec.platform.network.nodeCidr } }], ports: tcpPorts([POSTGRES_PORT]) };
}

export function gatewayDatabaseSetupNetworkPolicy(spec: PlatformSpec): KubeObject {
  return networkPolicy(
    PADDOCK_SYSTEM_NAMESPACE,
    GATEWAY_DATABASE_SETUP_JOB,
    { podSelector: { matchLabels: selectorLabels(GATEWAY_DATABASE_SETUP_JOB) }, policyTypes: ['Ingress', 'Egress'], egress: [databaseEgressRule(spec)] },
    'Model gateway database setup Job: nothing in; out to the database only.',
  );
}

