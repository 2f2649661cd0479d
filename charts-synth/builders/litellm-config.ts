/**
 * LiteLLM's proxy config file (config.yaml) for the gateway Paddock runs, from the stack: its
 * model_list, provider keys as `os.environ/<NAME>` references (values only ever in the pod's
 * environment, from Secret litellm-provider-keys), the master key and the database from the
 * environment. Pure and deterministic: the same spec gives the same bytes (its hash rolls the pods).
 */
import { stringify } from 'yaml';
import { providerKeyOf } from '../../config/model-gateway.ts';
import type { GatewayDeploymentSpec } from '../../config/platform-spec.ts';

/** The variables the container gets from Secrets; the config file names them, never their values. */
export const LITELLM_ENV = {
  masterKey: 'LITELLM_MASTER_KEY',
  saltKey: 'LITELLM_SALT_KEY',
  databaseUrl: 'DATABASE_URL',
} as const;

interface LiteLlmModel {
  readonly model_name: string;
  readonly litellm_params: { readonly model: string; readonly api_base?: string; readonly api_key?: string };
}

/** Providers whose key belongs to the endpoint the model names (an Azure resource), so it goes with an apiBase too. */
const ENDPOINT_KEYED_PROVIDERS: readonly string[] = ['azure'];

export function liteLlmModelList(deploy: GatewayDeploymentSpec): LiteLlmModel[] {
  return deploy.models.map((m) => {
    const key = providerKeyOf(m.model);
    // a provider's key never goes to another endpoint (an apiBase of yours must not receive OpenAI's key)
    const keyed = m.apiBase === undefined || ENDPOINT_KEYED_PROVIDERS.includes(m.model.split('/')[0]!);
    const apiKey = keyed && key !== undefined && deploy.providerSecrets.includes(key) ? `os.environ/${key}` : undefined;
    return {
      model_name: m.name,
      litellm_params: { model: m.model, ...(m.apiBase === undefined ? {} : { api_base: m.apiBase }), ...(apiKey === undefined ? {} : { api_key: apiKey }) },
    };
  });
}

export function liteLlmConfig(deploy: GatewayDeploymentSpec): Record<string, unknown> {
  return {
    model_list: liteLlmModelList(deploy),
    litellm_settings: {
      // an OpenAI-style parameter a provider does not support is dropped, not a failed turn
      drop_params: true,
    },
    general_settings: {
      master_key: `os.environ/${LITELLM_ENV.masterKey}`,
      database_url: `os.environ/${LITELLM_ENV.databaseUrl}`,
      // models come from this file only (Paddock's config is the source of truth), never the admin UI
      store_model_in_db: false,
      // a request whose key cannot be checked because the database is down is refused, not let through
      allow_requests_on_db_unavailable: false,
    },
  };
}

export function renderLiteLlmConfig(deploy: GatewayDeploymentSpec): string {
  return `# Rendered by Paddock from paddock:platform.modelGateway (charts-synth/builders/litellm-config.ts): do not edit.\n${stringify(liteLlmConfig(deploy), { lineWidth: 0 })}`;
}
