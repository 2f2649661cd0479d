/**
 * The model gateway's names and data, shared by validation, the gateway chart, the team charts
 * and the Pulumi program (ADR 0024): where the in-cluster LiteLLM proxy lives, the Secrets that
 * carry its keys, and the provider-key variables a team may no longer hold once it runs.
 */

/** `paddock:platform.modelGateway.deploy`: the gateways Paddock can run in the cluster. */
export const MODEL_GATEWAY_DEPLOYMENTS = ['litellm'] as const;
export type ModelGatewayDeployment = (typeof MODEL_GATEWAY_DEPLOYMENTS)[number];

export const GATEWAY_NAMESPACE = 'paddock-gateway';
export const GATEWAY_NAME = 'litellm';
/** LiteLLM's default proxy port (its docs, the Helm chart's service.port) */
export const GATEWAY_PORT = 4000;
/** The URL sandboxes and the runtime use for the in-cluster gateway (a Service name cluster DNS resolves). */
export const IN_CLUSTER_GATEWAY_URL = `http://${GATEWAY_NAME}.${GATEWAY_NAMESPACE}.svc.cluster.local:${GATEWAY_PORT}`;
/** Labels of the gateway pods: what NetworkPolicies in team namespaces and paddock-system admit. */
export const GATEWAY_POD_LABELS = { 'app.kubernetes.io/name': GATEWAY_NAME, 'app.kubernetes.io/component': 'model-gateway' } as const;

/** Secret in paddock-gateway: LITELLM_MASTER_KEY and LITELLM_SALT_KEY (created by Pulumi, never rendered). */
export const GATEWAY_MASTER_KEY_SECRET = 'litellm-master-key';
export const GATEWAY_MASTER_KEY_KEY = 'masterKey';
export const GATEWAY_SALT_KEY_KEY = 'saltKey';
/** Secret in paddock-gateway: one key per `paddock:gatewaySecrets.<NAME>` (provider keys). */
export const GATEWAY_PROVIDER_KEYS_SECRET = 'litellm-provider-keys';
/** Secret in paddock-gateway: DATABASE_URL (Prisma's form) of LiteLLM's own database and role. */
export const GATEWAY_DATABASE_SECRET = 'litellm-database';
export const GATEWAY_DATABASE_URL_KEY = 'DATABASE_URL';
/** Secret in paddock-system: the LiteLLM role's password, for the Job that creates the role and database. */
export const GATEWAY_DATABASE_SETUP_SECRET = 'litellm-database-setup';
export const GATEWAY_DATABASE_SETUP_PASSWORD_KEY = 'password';
/** The Job (in paddock-system, where the admin credentials are) that creates LiteLLM's role and database. */
export const GATEWAY_DATABASE_SETUP_JOB = 'litellm-database-setup';
/** LiteLLM's database and role on the platform's Postgres. */
export const GATEWAY_DATABASE_NAME = 'litellm';
export const GATEWAY_DATABASE_ROLE = 'litellm';
/** Secret in paddock-system for the key reconciler: `masterKey` and `team-<name>` (each team's gateway key). */
export const GATEWAY_ADMIN_SECRET = 'paddock-gateway-admin';
export const gatewayAdminTeamKey = (team: string): string => `team-${team}`;
/** Secret in each team namespace: that team's gateway key, key `key`. */
export const TEAM_GATEWAY_KEY_SECRET = 'paddock-gateway-key';
export const TEAM_GATEWAY_KEY_KEY = 'key';

/**
 * Environment variables that hold a model provider's own credentials (LiteLLM's provider docs
 * name them). While the gateway runs in the cluster no team may hold one: the team's gateway key
 * replaces it, and the provider keys live in paddock-gateway only.
 */
export const PROVIDER_KEY_ENV_NAMES: readonly string[] = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AZURE_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'COHERE_API_KEY',
  'DEEPSEEK_API_KEY',
  'FIREWORKS_AI_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GROQ_API_KEY',
  'HUGGINGFACE_API_KEY',
  'MISTRAL_API_KEY',
  'OPENAI_API_KEY',
  'OPENROUTER_API_KEY',
  'TOGETHERAI_API_KEY',
  'VERTEXAI_CREDENTIALS',
  'XAI_API_KEY',
];

/** Why a team's secret `name` is refused while the in-cluster gateway runs, if it is. */
export function providerKeyReason(name: string, team: string): string | undefined {
  if (!PROVIDER_KEY_ENV_NAMES.includes(name)) return undefined;
  return (
    `"${name}" is a model provider's key, and the model gateway runs in the cluster (modelGateway.deploy): sandboxes get the team's gateway key ` +
    `(Secret ${TEAM_GATEWAY_KEY_SECRET} in team-${team}) in the variables their harness names, never a provider key. Remove it from the team's secrets, ` +
    `add its name to paddock:platform.modelGateway.providerSecrets and set it once for the gateway with ` +
    `\`pulumi config set --secret --path 'paddock:gatewaySecrets.${name}'\``
  );
}

/** LiteLLM's budget_duration: a number of seconds, minutes, hours, days or months ("30d", "1mo"). */
export const BUDGET_PERIOD = /^[1-9]\d*(s|m|h|d|mo)$/;

/**
 * The variable LiteLLM reads a provider's key from, by the provider prefix of a model
 * ("anthropic/claude-…" -> ANTHROPIC_API_KEY), from LiteLLM's provider docs. A model of one of
 * these providers needs its key among modelGateway.providerSecrets (unless it names its own
 * apiBase); other providers (bedrock, vertex_ai, ollama, …) take credentials their own way.
 */
export const PROVIDER_KEY_BY_PREFIX: Readonly<Record<string, string>> = {
  anthropic: 'ANTHROPIC_API_KEY',
  azure: 'AZURE_API_KEY',
  cohere: 'COHERE_API_KEY',
  deepseek: 'DEEPSEEK_API_KEY',
  fireworks_ai: 'FIREWORKS_AI_API_KEY',
  gemini: 'GEMINI_API_KEY',
  groq: 'GROQ_API_KEY',
  huggingface: 'HUGGINGFACE_API_KEY',
  mistral: 'MISTRAL_API_KEY',
  openai: 'OPENAI_API_KEY',
  openrouter: 'OPENROUTER_API_KEY',
  together_ai: 'TOGETHERAI_API_KEY',
  xai: 'XAI_API_KEY',
};

/** The provider-key variable a LiteLLM model string reads, if its provider is one of PROVIDER_KEY_BY_PREFIX. */
export function providerKeyOf(model: string): string | undefined {
  const prefix = model.split('/')[0] ?? '';
  return Object.hasOwn(PROVIDER_KEY_BY_PREFIX, prefix) ? PROVIDER_KEY_BY_PREFIX[prefix] : undefined;
}
