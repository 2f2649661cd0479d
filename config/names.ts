/**
 * Naming conventions shared by synth, the Pulumi programs and the runtime. One place, so a
 * rename can never leave two parts of the platform disagreeing.
 */
export const AGENT_SANDBOX_NAMESPACE = 'agent-sandbox-system';
export const PADDOCK_SYSTEM_NAMESPACE = 'paddock-system';
export const RUNTIME_NAME = 'paddock-runtime';
export const POSTGRES_NAME = 'paddock-postgres';
export const RUNTIME_CONFIG_MAP = 'paddock-runtime-config';
/** Secret in paddock-system: DATABASE_URL or PG* keys (created by Pulumi, never rendered) */
export const DATABASE_SECRET = 'paddock-database';
/** Secret in paddock-system: POSTGRES_PASSWORD for the in-cluster database (kind) */
export const POSTGRES_SECRET = 'paddock-postgres-auth';
/** Secret in paddock-system: sha256 hashes of the team and admin API tokens */
export const API_TOKENS_SECRET = 'paddock-api-token-hashes';
/** Secret in every team namespace: CONTAINER_ENV_* values with the prefix stripped */
export const CONTAINER_ENV_SECRET = 'paddock-container-env';
/** Secret in one team namespace: that team's declared secrets */
export const TEAM_SECRETS_SECRET = 'paddock-team-secrets';
export const SANDBOX_SERVICE_ACCOUNT = 'paddock-sandbox';
export const RUNTIME_PORT = 8080;
export const POSTGRES_PORT = 5432;
export const CONTAINER_ENV_PREFIX = 'CONTAINER_ENV_';

/** Label selecting every sandbox pod of a harness (set in the SandboxTemplate's pod metadata). */
export const HARNESS_LABEL = 'paddock.dev/harness';
export const TEAM_LABEL = 'paddock.dev/team';
export const MANAGED_BY_LABELS = { 'app.kubernetes.io/managed-by': 'paddock', 'app.kubernetes.io/part-of': 'paddock' } as const;

export function teamNamespace(team: string): string {
  return `team-${team}`;
}

export function sandboxTemplateName(harness: string): string {
  return harness;
}

export function warmPoolName(harness: string): string {
  return harness;
}

/**
 * Env names the platform sets in every sandbox; a team may not declare them, nor may
 * CONTAINER_ENV_ or team secrets override them.
 */
export const RESERVED_ENV_NAMES: readonly string[] = ['HOME', 'PATH', 'HOSTNAME', 'PADDOCK_HARNESS', 'PADDOCK_HARNESS_PORT', 'PADDOCK_TEAM', 'PADDOCK_WORKSPACE', 'PADDOCK_SANDBOX_TOKEN', 'PADDOCK_MODEL_GATEWAY_URL'];
export const RESERVED_ENV_PREFIXES: readonly string[] = ['PADDOCK_', 'KUBERNETES_', CONTAINER_ENV_PREFIX];

export function reservedEnvReason(name: string): string | undefined {
  if (RESERVED_ENV_NAMES.includes(name)) return `"${name}" is reserved by the platform`;
  const prefix = RESERVED_ENV_PREFIXES.find((p) => name.startsWith(p));
  return prefix ? `"${name}" uses the prefix "${prefix}", which is reserved by the platform` : undefined;
}

/** Environment of the runtime controller's container (read by runtime/main.ts). */
export const RUNTIME_ENV = {
  /** path of config.json from the ConfigMap */
  config: 'PADDOCK_CONFIG',
  /** directory of the token-hash Secret: one file per key (`admin`, `team.<name>`), hex sha256 */
  tokenHashesDir: 'PADDOCK_API_AUTH_DIR',
  /** postgres://... from the Secret paddock-database, key `url` */
  databaseUrl: 'DATABASE_URL',
  /** kubernetes | local */
  driver: 'PADDOCK_DRIVER',
  port: 'PORT',
  /** the pod's name: owner id for turn leases */
  podName: 'POD_NAME',
} as const;
export const DATABASE_SECRET_URL_KEY = 'url';
export const POSTGRES_SECRET_PASSWORD_KEY = 'password';
