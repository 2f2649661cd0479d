import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { modelGatewayObjects, GATEWAY_CONFIG_MAP } from '../../../charts-synth/charts/model-gateway.ts';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { stackObjects, synthesizeStack } from '../../../charts-synth/synthesize.ts';
import { teamObjects } from '../../../charts-synth/charts/team.ts';
import { NetworkPolicyEvaluator, type PodEndpoint } from '../../../policy/network/evaluator.ts';
import { checkManifests, policyOptionsForSpec } from '../../../policy/index.ts';
import { minimalKindConfig, shippedSpec, team, validate } from '../../support/fixtures.ts';

type Json = Record<string, any>;
const find = (objects: readonly KubeObject[], kind: string, name: string, namespace?: string): Json => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ?? ''}/${name}`);
  return found as Json;
};

const local = shippedSpec('local');
const prod = shippedSpec('prod');
const localObjects = modelGatewayObjects(local);
const prodObjects = modelGatewayObjects(prod);

describe('model gateway chart', () => {
  it('is rendered only when Paddock runs the gateway', () => {
    expect(modelGatewayObjects(validate(minimalKindConfig([team('a')])))).toEqual([]);
    expect(synthesizeStack(validate(minimalKindConfig())).map((c) => c.name)).not.toContain('model-gateway');
    const chart = synthesizeStack(local).find((c) => c.name === 'model-gateway');
    expect(chart?.wave).toBe(synthesizeStack(local).find((c) => c.name === 'runtime')?.wave);
    expect(chart!.wave).toBeGreaterThan(synthesizeStack(local).find((c) => c.name === 'postgres')!.wave);
  });

  it('puts LiteLLM in its own restricted namespace, without a service account token', () => {
    const namespace = find(localObjects, 'Namespace', 'paddock-gateway');
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(find(localObjects, 'ServiceAccount', 'litellm', 'paddock-gateway').automountServiceAccountToken).toBe(false);
    const pod = find(localObjects, 'Deployment', 'litellm', 'paddock-gateway').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('litellm');
    const [container] = pod.containers;
    expect(container.image).toBe(local.platform.modelGateway.deploy!.image);
    expect(container.image).toMatch(/^ghcr\.io\/berriai\/litellm-database:v\d+\.\d+\.\d+$/);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.args).toEqual(['--config', '/etc/litellm/config.yaml', '--port', '4000']);
    expect(container.volumeMounts.map((m: Json) => m.mountPath)).toEqual(['/etc/litellm', '/tmp', '/.cache', '/.npm']);
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/health/liveliness', port: 'http' });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/health/readiness', port: 'http' });
    expect(container.startupProbe.httpGet).toMatchObject({ path: '/health/readiness', port: 'http' });
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
  });

  it('takes every key from a Secret reference: master and salt key, database, each provider key', () => {
    const container = find(prodObjects, 'Deployment', 'litellm').spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e]));
    expect(env.LITELLM_MASTER_KEY.valueFrom).toEqual({ secretKeyRef: { name: 'litellm-master-key', key: 'masterKey' } });
    expect(env.LITELLM_SALT_KEY.valueFrom).toEqual({ secretKeyRef: { name: 'litellm-master-key', key: 'saltKey' } });
    expect(env.DATABASE_URL.valueFrom).toEqual({ secretKeyRef: { name: 'litellm-database', key: 'DATABASE_URL' } });
    for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']) expect(env[name]).toEqual({ name, valueFrom: { secretKeyRef: { name: 'litellm-provider-keys', key: name } } });
    const literal = container.env.filter((e: Json) => e.value !== undefined).map((e: Json) => e.name).sort();
    expect(literal).toEqual(['DISABLE_ADMIN_UI', 'LITELLM_LOCAL_MODEL_COST_MAP', 'LITELLM_LOG', 'LITELLM_MODE']);
  });

  it('renders LiteLLM\'s config file from the stack, naming keys only as os.environ references, and rolls the pods when it changes', () => {
    const data = find(localObjects, 'ConfigMap', GATEWAY_CONFIG_MAP).data['config.yaml'];
    expect(parse(data)).toEqual({
      model_list: [
        { model_name: 'claude-sonnet-4-5', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_key: 'os.environ/ANTHROPIC_API_KEY' } },
        { model_name: 'gpt-5', litellm_params: { model: 'openai/gpt-5', api_key: 'os.environ/OPENAI_API_KEY' } },
      ],
      litellm_settings: { drop_params: true },
      general_settings: { master_key: 'os.environ/LITELLM_MASTER_KEY', database_url: 'os.environ/DATABASE_URL', store_model_in_db: false, allow_requests_on_db_unavailable: false },
    });
    const annotations = find(localObjects, 'Deployment', 'litellm').spec.template.metadata.annotations;
    expect(annotations['paddock.dev/config-sha256']).toBe(createHash('sha256').update(data).digest('hex'));
    expect(find(prodObjects, 'Deployment', 'litellm').spec.template.metadata.annotations['paddock.dev/config-sha256']).not.toBe(annotations['paddock.dev/config-sha256']);
  });

  it('is highly available in prod: replicas, zone and host spread, a PDB keeping all but one', () => {
    const deployment = find(prodObjects, 'Deployment', 'litellm');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.topologySpreadConstraints.map((t: Json) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(find(prodObjects, 'PodDisruptionBudget', 'litellm').spec).toEqual({ minAvailable: 2, selector: { matchLabels: { 'app.kubernetes.io/name': 'litellm' } } });
    expect(find(localObjects, 'PodDisruptionBudget', 'litellm').spec.maxUnavailable).toBe(1);
    expect(find(localObjects, 'Service', 'litellm').spec.ports).toEqual([{ name: 'http', port: 4000, protocol: 'TCP', targetPort: 'http' }]);
  });

  it('creates LiteLLM\'s role and database with a Job in paddock-system, credentials by reference; on RDS verifying the server against the CA bundle', () => {
    const localJob = find(localObjects, 'Job', 'litellm-database-setup', 'paddock-system').spec.template.spec;
    const env = Object.fromEntries(localJob.containers[0].env.map((e: Json) => [e.name, e]));
    expect(env.ADMIN_DATABASE_URL.valueFrom).toEqual({ secretKeyRef: { name: 'paddock-database', key: 'url' } });
    expect(env.ROLE_PASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'litellm-database-setup', key: 'password' } });
    expect(localJob.containers[0].image).toBe(local.platform.database.mode === 'in-cluster' ? local.platform.database.image : '');
    expect(localJob.initContainers).toBeUndefined();
    const prodJob = find(prodObjects, 'Job', 'litellm-database-setup', 'paddock-system').spec.template.spec;
    expect(prodJob.initContainers).toEqual([expect.objectContaining({ image: prod.platform.runtime.image, command: ['cp', '/opt/paddock/certs/rds-global-bundle.pem', '/ca/rds-global-bundle.pem'] })]);
    expect(prodJob.containers[0].volumeMounts).toContainEqual({ name: 'rds-ca', mountPath: '/opt/paddock/certs', readOnly: true });
    const gateway = find(prodObjects, 'Deployment', 'litellm').spec.template.spec;
    expect(gateway.initContainers.map((c: Json) => c.name)).toEqual(['rds-ca-bundle']);
    expect(gateway.containers[0].volumeMounts).toContainEqual({ name: 'rds-ca', mountPath: '/opt/paddock/certs', readOnly: true });
  });

  it('lets the gateway out on the port a declared apiBase names, besides 443', () => {
    const config = minimalKindConfig([team('a')]);
    (config['paddock:platform'] as Record<string, unknown>).modelGateway = {
      deploy: 'litellm',
      models: [{ name: 'local-llm', model: 'openai/qwen3', apiBase: 'https://llm.internal.example.org:8443/v1' }, { name: 'claude', model: 'anthropic/claude-sonnet-4-5' }],
      providerSecrets: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'],
    };
    const policy = find(modelGatewayObjects(validate(config)), 'NetworkPolicy', 'litellm', 'paddock-gateway');
    expect(policy.spec.egress[1].ports).toEqual([{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 8443 }]);
    const data = parse(find(modelGatewayObjects(validate(config)), 'ConfigMap', GATEWAY_CONFIG_MAP).data['config.yaml']);
    // its own endpoint: OpenAI's key is never sent there
    expect(data.model_list[0]).toEqual({ model_name: 'local-llm', litellm_params: { model: 'openai/qwen3', api_base: 'https://llm.internal.example.org:8443/v1' } });
  });

  it('renders byte-identical objects on every run', () => {
    expect(JSON.stringify(modelGatewayObjects(shippedSpec('prod')))).toBe(JSON.stringify(prodObjects));
  });

  it('passes the manifest policy with the rest of each shipped stack', () => {
    for (const spec of [local, prod]) expect(checkManifests(stackObjects(synthesizeStack(spec)), policyOptionsForSpec(spec))).toEqual([]);
  });
});

describe('model gateway network (NetworkPolicy semantics over the whole local stack)', () => {
  const objects = stackObjects(synthesizeStack(local));
  const evaluator = NetworkPolicyEvaluator.fromObjects(objects, { podCidrs: [local.platform.network.podCidr] });
  const gateway: PodEndpoint = { namespace: 'paddock-gateway', labels: find(objects, 'Deployment', 'litellm').spec.template.metadata.labels };
  const sandbox: PodEndpoint = { namespace: 'team-platform', labels: { 'paddock.dev/harness': 'claude-code', 'paddock.dev/team': 'platform', 'app.kubernetes.io/name': 'paddock-sandbox' } };
  const runtime: PodEndpoint = { namespace: 'paddock-system', labels: find(objects, 'Deployment', 'paddock-runtime').spec.template.metadata.labels };
  const postgres: PodEndpoint = { namespace: 'paddock-system', labels: find(objects, 'StatefulSet', 'paddock-postgres').spec.template.metadata.labels };
  const setupJob: PodEndpoint = { namespace: 'paddock-system', labels: find(objects, 'Job', 'litellm-database-setup').spec.template.metadata.labels };
  const api = { port: 4000, protocol: 'TCP' as const };

  it('admits team sandboxes and the runtime on 4000, and nothing else', () => {
    expect(evaluator.canConnect(sandbox, gateway, api)).toBe(true);
    expect(evaluator.canConnect({ ...sandbox, namespace: 'team-web', labels: { ...sandbox.labels, 'paddock.dev/harness': 'codex', 'paddock.dev/team': 'web' } }, gateway, api)).toBe(true);
    expect(evaluator.canConnect(runtime, gateway, api)).toBe(true);
    const strangers: PodEndpoint[] = [
      postgres,
      setupJob,
      { namespace: 'team-platform', labels: {} },
      { namespace: 'paddock-gateway', labels: { app: 'other' } },
      { namespace: 'agent-sandbox-system', labels: { 'paddock.dev/harness': 'claude-code' } },
      { namespace: 'default', labels: { 'paddock.dev/harness': 'claude-code' } },
    ];
    for (const pod of strangers) expect(evaluator.canConnect(pod, gateway, api), JSON.stringify(pod)).toBe(false);
    expect(evaluator.canConnect(sandbox, gateway, { port: 4001, protocol: 'TCP' })).toBe(false);
  });

  it('lets the gateway out to its database and to providers on 443 outside the cluster, nowhere else', () => {
    expect(evaluator.canConnect(gateway, postgres, { port: 5432, protocol: 'TCP' })).toBe(true);
    expect(evaluator.canConnect(setupJob, postgres, { port: 5432, protocol: 'TCP' })).toBe(true);
    expect(evaluator.canConnect(gateway, runtime, { port: 8080, protocol: 'TCP' })).toBe(false);
    expect(evaluator.canConnect(gateway, sandbox, { port: 8080, protocol: 'TCP' })).toBe(false);
    expect(evaluator.canReachAddress(gateway, '160.79.104.10', { port: 443, protocol: 'TCP' })).toBe(true);
    expect(evaluator.canReachAddress(gateway, '160.79.104.10', { port: 80, protocol: 'TCP' })).toBe(false);
    for (const address of ['169.254.169.254', '10.96.0.1', '172.18.0.2']) expect(evaluator.canReachAddress(gateway, address, { port: 443, protocol: 'TCP' }), address).toBe(false);
  });
});

describe('sandboxes and the gateway key', () => {
  const templateEnv = (spec: typeof local, teamName: string, harness: string): Json[] => {
    const team = spec.teams.find((t) => t.name === teamName)!;
    const template = teamObjects(spec, team).find((o) => o.kind === 'SandboxTemplate' && o.metadata.name === harness) as Json;
    return template.spec.podTemplate.spec.containers[0].env;
  };

  it('gives each harness its team\'s gateway key in the variables it reads its model key from, and the gateway URL', () => {
    const claude = Object.fromEntries(templateEnv(prod, 'data-science', 'claude-code').map((e) => [e.name, e]));
    expect(claude.ANTHROPIC_API_KEY).toEqual({ name: 'ANTHROPIC_API_KEY', valueFrom: { secretKeyRef: { name: 'paddock-gateway-key', key: 'key' } } });
    expect(claude.ANTHROPIC_BASE_URL).toEqual({ name: 'ANTHROPIC_BASE_URL', value: 'http://litellm.paddock-gateway.svc.cluster.local:4000' });
    const codex = Object.fromEntries(templateEnv(prod, 'payments', 'codex').map((e) => [e.name, e]));
    expect(codex.OPENAI_API_KEY).toEqual({ name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: 'paddock-gateway-key', key: 'key' } } });
    expect(codex.OPENAI_BASE_URL.value).toBe('http://litellm.paddock-gateway.svc.cluster.local:4000/v1');
    expect(codex.ANTHROPIC_API_KEY).toBeUndefined();
  });

  it('sets no key variable with a gateway Paddock does not run (the team brings its own)', () => {
    const external = validate(minimalKindConfig([team('a', { harnesses: [{ name: 'claude-code', warmPool: 0 }], quota: { cpu: '4', memory: '8Gi', maxSandboxes: 2 }, secrets: ['ANTHROPIC_API_KEY'] })]));
    expect(templateEnv(external, 'a', 'claude-code').map((e) => e.name)).not.toContain('ANTHROPIC_API_KEY');
  });

  it('leaves no shipped team a provider key among its secrets', () => {
    for (const spec of [local, prod]) for (const t of spec.teams) expect(t.secrets.filter((n) => /API_KEY|AUTH_TOKEN/.test(n)), t.name).toEqual([]);
  });
});
