import { describe, expect, it } from 'vitest';
import { DEFAULT_LITELLM_IMAGE, LITELLM_IMAGE } from '../../config/versions/container-images.ts';
import { IN_CLUSTER_GATEWAY_URL, PROVIDER_KEY_ENV_NAMES } from '../../config/model-gateway.ts';
import { errorLines, harnessRegistry, minimalKindConfig, team, validate } from '../support/fixtures.ts';

const F = 'stacks/Pulumi.test.yaml';

const MODELS = [
  { name: 'claude-sonnet', model: 'anthropic/claude-sonnet-4-5' },
  { name: 'gpt', model: 'openai/gpt-5', apiBase: 'https://api.openai.com/v1' },
];

function deployedConfig(teams: unknown[] = [], gateway: Record<string, unknown> = {}): Record<string, unknown> {
  const config = minimalKindConfig(teams);
  (config['paddock:platform'] as Record<string, unknown>).modelGateway = { deploy: 'litellm', models: MODELS, providerSecrets: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'], ...gateway };
  return config;
}

describe('modelGateway.deploy: litellm', () => {
  it('resolves to the in-cluster Service, its pods and the defaults', () => {
    const spec = validate(deployedConfig());
    const gateway = spec.platform.modelGateway;
    expect(gateway.url).toBe(IN_CLUSTER_GATEWAY_URL);
    expect(gateway.url).toBe('http://litellm.paddock-gateway.svc.cluster.local:4000');
    expect(gateway.port).toBe(4000);
    expect(gateway.inCluster).toEqual({ namespace: 'paddock-gateway', podSelector: { 'app.kubernetes.io/component': 'model-gateway', 'app.kubernetes.io/name': 'litellm' } });
    expect(gateway.cidrs).toBeUndefined();
    expect(gateway.deploy).toEqual({
      kind: 'litellm',
      image: DEFAULT_LITELLM_IMAGE,
      replicas: 2,
      resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      models: MODELS,
      providerSecrets: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'],
    });
  });

  it('an external gateway keeps url with cidrs or inCluster, and has no deployment', () => {
    const spec = validate(minimalKindConfig());
    expect(spec.platform.modelGateway.deploy).toBeUndefined();
    expect(spec.platform.modelGateway.url).toBe('http://gateway.example:4000');
  });

  it('wants exactly one of deploy and url', () => {
    expect(errorLines(deployedConfig([], { url: 'http://gw:4000' }))).toContain(
      `${F}: paddock:platform.modelGateway: set exactly one of "deploy: litellm" (Paddock runs the gateway in the cluster) or "url" (a gateway Paddock does not run)`,
    );
    const neither = minimalKindConfig();
    (neither['paddock:platform'] as Record<string, unknown>).modelGateway = { cidrs: ['203.0.113.0/24'] };
    expect(errorLines(neither)).toContain(`${F}: paddock:platform.modelGateway: set exactly one of "deploy: litellm" (Paddock runs the gateway in the cluster) or "url" (a gateway Paddock does not run)`);
  });

  it('refuses an unknown gateway kind, cidrs or inCluster with deploy, and deploy-only keys without it', () => {
    expect(errorLines(deployedConfig([], { deploy: 'portkey' })).join('\n')).toMatch(/paddock:platform\.modelGateway\.deploy: .*"litellm"/);
    expect(errorLines(deployedConfig([], { cidrs: ['203.0.113.0/24'] }))).toContain(
      `${F}: paddock:platform.modelGateway.cidrs: is only for a gateway Paddock does not run ("url"); with "deploy" NetworkPolicy admits the gateway Paddock renders`,
    );
    const external = minimalKindConfig();
    Object.assign((external['paddock:platform'] as Record<string, { [k: string]: unknown }>).modelGateway!, { replicas: 3, models: MODELS });
    const lines = errorLines(external);
    expect(lines).toContain(`${F}: paddock:platform.modelGateway.replicas: is only used when Paddock runs the gateway ("deploy: litellm")`);
    expect(lines).toContain(`${F}: paddock:platform.modelGateway.models: is only used when Paddock runs the gateway ("deploy: litellm"); configure the models of your own gateway there`);
  });

  it('validates the model list: at least one, unique names, provider/model, https apiBase outside the cluster', () => {
    expect(errorLines(deployedConfig([], { models: [] }))).toContain(`${F}: paddock:platform.modelGateway.models: needs at least one model for the gateway to serve ({name, model, apiBase?})`);
    const lines = errorLines(
      deployedConfig([], {
        models: [
          { name: 'a', model: 'anthropic/claude-sonnet-4-5' },
          { name: 'a', model: 'claude' },
          { name: 'b', model: 'openai/gpt-5', apiBase: 'http://api.openai.com' },
        ],
      }),
    );
    expect(lines).toContain(`${F}: paddock:platform.modelGateway.models[1].name: "a" is already the name of models[0]; model names are unique`);
    expect(lines).toContain(`${F}: paddock:platform.modelGateway.models[1].model: is not a LiteLLM model ("<provider>/<model>", e.g. "anthropic/claude-sonnet-4-5")`);
    expect(lines).toContain(`${F}: paddock:platform.modelGateway.models[2].apiBase: "http://api.openai.com" is not an https URL`);
    expect(errorLines(deployedConfig([], { models: [{ name: 'c', model: 'openai/gpt-5', apiBase: 'https://10.96.0.10/v1' }, { name: 'd', model: 'openai/gpt-5', apiBase: 'https://169.254.169.254' }] }))).toEqual([
      `${F}: paddock:platform.modelGateway.models[0].apiBase: "https://10.96.0.10/v1" is inside 10.96.0.0/12, a cluster network or the metadata range the gateway never reaches`,
      `${F}: paddock:platform.modelGateway.models[1].apiBase: "https://169.254.169.254" is inside 169.254.0.0/16, a cluster network or the metadata range the gateway never reaches`,
    ]);
  });

  it('wants the provider key a model reads among providerSecrets, unless the model names its own apiBase', () => {
    expect(errorLines(deployedConfig([], { providerSecrets: ['OPENAI_API_KEY'] }))).toEqual([
      `${F}: paddock:platform.modelGateway.models[0].model: "anthropic/claude-sonnet-4-5" reads its provider key from ANTHROPIC_API_KEY: add "ANTHROPIC_API_KEY" to providerSecrets (and set it with \`pulumi config set --secret --path 'paddock:gatewaySecrets.ANTHROPIC_API_KEY'\`)`,
    ]);
    const spec = validate(deployedConfig([], { providerSecrets: [], models: [{ name: 'local', model: 'openai/qwen3', apiBase: 'https://llm.internal.example.org/v1' }, { name: 'bedrock', model: 'bedrock/anthropic.claude-sonnet-4-5' }] }));
    expect(spec.platform.modelGateway.deploy?.providerSecrets).toEqual([]);
  });

  it('refuses a provider-secret name listed twice or not a variable name', () => {
    const lines = errorLines(deployedConfig([], { providerSecrets: ['OPENAI_API_KEY', 'OPENAI_API_KEY', 'bad-name'] }));
    expect(lines).toContain(`${F}: paddock:platform.modelGateway.providerSecrets[1]: "OPENAI_API_KEY" is listed twice`);
    expect(lines.join('\n')).toMatch(/providerSecrets\[2\]: "bad-name" is not a valid environment variable name/);
  });
});

describe('teams and the gateway Paddock runs', () => {
  it('gives each team its models (all by default), budget and limits', () => {
    const spec = validate(
      deployedConfig([team('a'), team('b', { models: ['gpt'], budget: { maxUsd: 250, period: '30d' }, rpm: 60, tpm: 200000 })]),
    );
    expect(spec.teams[0]!.gateway).toEqual({ models: ['claude-sonnet', 'gpt'] });
    expect(spec.teams[1]!.gateway).toEqual({ models: ['gpt'], budget: { maxUsd: 250, period: '30d' }, rpm: 60, tpm: 200000 });
  });

  it('names an unknown model and the gateway models there are', () => {
    expect(errorLines(deployedConfig([team('a', { models: ['gpt', 'gemini'] })]))).toContain(
      `${F}: paddock:teams[0].models[1]: unknown model "gemini": the gateway serves "claude-sonnet", "gpt" (paddock:platform.modelGateway.models)`,
    );
  });

  it('checks the budget period against LiteLLM budget_duration and positive amounts', () => {
    const lines = errorLines(deployedConfig([team('a', { budget: { maxUsd: 0, period: 'monthly' }, rpm: 0 })]));
    expect(lines).toContain(`${F}: paddock:teams[0].budget.period: is not a budget period (a number and s, m, h, d or mo, e.g. "30d", "1mo")`);
    expect(lines.join('\n')).toMatch(/paddock:teams\[0\]\.budget\.maxUsd: /);
    expect(lines.join('\n')).toMatch(/paddock:teams\[0\]\.rpm: /);
    for (const period of ['30d', '7d', '1d', '12h', '1mo', '90s']) expect(validate(deployedConfig([team('a', { budget: { maxUsd: 10, period } })])).teams[0]!.gateway?.budget?.period).toBe(period);
  });

  it('refuses models, budget and limits with a gateway Paddock does not run', () => {
    const lines = errorLines(minimalKindConfig([team('a', { models: ['x'], budget: { maxUsd: 5, period: '1d' }, tpm: 5 })]));
    for (const key of ['models', 'budget', 'tpm']) {
      expect(lines).toContain(`${F}: paddock:teams[0].${key}: is only enforced by the gateway Paddock runs (paddock:platform.modelGateway.deploy: litellm); set limits for this team in your own gateway`);
    }
  });

  it('refuses a provider key among a team\'s secrets, explaining the gateway key replaces it', () => {
    const lines = errorLines(deployedConfig([team('data', { harnesses: [{ name: 'claude-code', warmPool: 0, model: 'claude-sonnet' }], quota: { cpu: '4', memory: '8Gi', maxSandboxes: 2 }, secrets: ['GITHUB_TOKEN', 'ANTHROPIC_API_KEY'] })]));
    expect(lines).toEqual([
      `${F}: paddock:teams[0].secrets[1]: "ANTHROPIC_API_KEY" is a model provider's key, and the model gateway runs in the cluster (modelGateway.deploy): sandboxes get the team's gateway key (Secret paddock-gateway-key in team-data) in the variables their harness names, never a provider key. Remove it from the team's secrets, add its name to paddock:platform.modelGateway.providerSecrets and set it once for the gateway with \`pulumi config set --secret --path 'paddock:gatewaySecrets.ANTHROPIC_API_KEY'\``,
    ]);
    // the same names stay allowed for a gateway Paddock does not run
    expect(validate(minimalKindConfig([team('data', { secrets: ['ANTHROPIC_API_KEY'] })])).teams[0]!.secrets).toEqual(['ANTHROPIC_API_KEY']);
  });

  it('keeps every harness key variable in the provider-key list, so a team can never shadow its gateway key', () => {
    const keyEnv = [...harnessRegistry().values()].flatMap((d) => d.modelGatewayKeyEnv);
    expect(keyEnv.sort()).toEqual(['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);
    for (const name of keyEnv) expect(PROVIDER_KEY_ENV_NAMES).toContain(name);
  });
});

describe('the LiteLLM image, as dated data', () => {
  it('is an exact release of LiteLLM\'s database image, tagged as its release, with where and when it was read', () => {
    expect(DEFAULT_LITELLM_IMAGE).toBe(LITELLM_IMAGE.image);
    expect(LITELLM_IMAGE.image).toBe(`ghcr.io/berriai/litellm-database:${LITELLM_IMAGE.release}`);
    expect(LITELLM_IMAGE.release).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(LITELLM_IMAGE.source).toMatch(/read \d{4}-\d{2}-\d{2}/);
  });
});
