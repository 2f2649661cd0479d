/**
 * Credentials of the in-cluster Postgres (kind stacks): a generated password, delivered as
 * Secret paddock-postgres-auth (read by the StatefulSet as POSTGRES_PASSWORD) and as the
 * runtime's DATABASE_URL in Secret paddock-database. Both are created by Pulumi with secret
 * values; neither is ever rendered. The image applies POSTGRES_PASSWORD on first start only,
 * so replacing the password needs an `ALTER ROLE` too (docs/adr/0011-database-credentials.md).
 */
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { DATABASE_SECRET, DATABASE_SECRET_URL_KEY, PADDOCK_SYSTEM_NAMESPACE, POSTGRES_SECRET, POSTGRES_SECRET_PASSWORD_KEY } from '../../config/names.ts';
import { POSTGRES_DB, POSTGRES_USER } from '../../charts-synth/charts/postgres.ts';
import type { ManagedSecret } from '../kubernetes/synthesized-charts.ts';
import { databaseUrl, IN_CLUSTER_DATABASE_PORT, inClusterDatabaseHost } from './database-url.ts';

export class InClusterDatabaseCredentials extends pulumi.ComponentResource {
  readonly secrets: readonly ManagedSecret[];

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:secrets:InClusterDatabaseCredentials', name, {}, opts);
    const password = pulumi.secret(new random.RandomPassword('postgres-password', { length: 32, special: false }, { parent: this }).result);
    this.secrets = [
      {
        namespace: PADDOCK_SYSTEM_NAMESPACE,
        name: POSTGRES_SECRET,
        stringData: { [POSTGRES_SECRET_PASSWORD_KEY]: password },
        source: 'Pulumi: generated password of the in-cluster Postgres',
      },
      {
        namespace: PADDOCK_SYSTEM_NAMESPACE,
        name: DATABASE_SECRET,
        stringData: {
          [DATABASE_SECRET_URL_KEY]: password.apply((p) =>
            databaseUrl({ host: inClusterDatabaseHost(), port: IN_CLUSTER_DATABASE_PORT, user: POSTGRES_USER, password: p, database: POSTGRES_DB, sslmode: 'disable' }),
          ),
        },
        source: 'Pulumi: DATABASE_URL of the in-cluster Postgres (traffic stays in paddock-system, admitted by NetworkPolicy)',
      },
    ];
    this.registerOutputs({});
  }
}
