/**
 * The Pulumi program for the shipped kind stack, run under Pulumi's mocks: the resource graph,
 * the kind cluster commands, the applied objects against manifests/local/, and the secrets.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { keyOf } from '../../infra/kubernetes/apply-plan.ts';
import { MANAGED_SECRET_ANNOTATION } from '../../infra/kubernetes/synthesized-charts.ts';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALICO, CALICO_VERSION } from '../../infra/kind/calico.ts';
import { CALICO_FETCH, KIND_CREATE, KIND_DELETE, KIND_LOAD_IMAGE } from '../../infra/kind/kind-scripts.ts';
import { imageResourceName, locallyBuiltImages } from '../../infra/kind/images.ts';
import { isSecretValue, MOCK_SECRET_MARKER } from '../../infra/plan/mocks.ts';
import { formatPlanReport } from '../../infra/plan/plan-report.ts';
import { tokenHash } from '../../infra/secrets/token-hash.ts';
import { API_TOKENS_SECRET, CONTAINER_ENV_SECRET, DATABASE_SECRET, PADDOCK_SYSTEM_NAMESPACE, POSTGRES_SECRET, TEAM_SECRETS_SECRET } from '../../config/names.ts';
import { expectAppliedObjectsMatchManifests, expectNoSecretOutsideSecrets } from './support/shared-assertions.ts';
import { FIXTURE_DOTENV_SECRET, FIXTURE_TEAM_SECRET_PREFIX, PROGRAM_DAY, committedText, one, ofType, runShippedStack, secretData, type ProgramRun } from './support/program-run.ts';

let run: ProgramRun;
beforeAll(async () => {
  run = await runShippedStack('local');
}, 120_000);

const SECRET = 'kubernetes:core/v1:Secret';
const COMMAND = 'command:local:Command';

describe('stack local: resource graph', () => {
  it('builds the platform from components, each with its parent', () => {
    const { plan, spec } = run;
    const platform = one(plan, 'paddock:index:Platform', 'paddock');
    expect(platform.parent?.type).toBe('pulumi:pulumi:Stack');
    for (const [type, name] of [
      ['paddock:kind:Cluster', spec.platform.clusterName],
      ['paddock:secrets:InClusterDatabaseCredentials', 'database'],
      ['paddock:secrets:ApiTokens', 'api-tokens'],
      ['paddock:secrets:ModelGatewayKeys', 'model-gateway-keys'],
      ['paddock:kubernetes:SynthesizedCharts', 'kubernetes'],
    ] as const) {
      expect(one(plan, type, name).parent, `${type} ${name}`).toEqual({ type: 'paddock:index:Platform', name: 'paddock' });
    }
    const charts = ofType(plan, 'paddock:kubernetes:Chart').map((c) => c.name).sort();
    expect(charts).toEqual(['agent-sandbox', 'crds', 'model-gateway', 'paddock-system', 'postgres', 'runtime', ...spec.teams.map((t) => `team-${t.name}`)].sort());
    // no cloud storage: kind's own provisioner serves the PVCs
    for (const type of ['paddock:aws:EbsCsiDriver', 'aws:eks/addon:Addon', 'kubernetes:storage.k8s.io/v1:StorageClass', 'aws:iam/role:Role', 'aws:kms/key:Key']) expect(ofType(plan, type), type).toEqual([]);
    // nothing is left at the stack root but the platform
    expect(plan.resources.filter((r) => r.parent?.type === 'pulumi:pulumi:Stack').map((r) => r.type)).toEqual(['paddock:index:Platform']);
  });

  it('gives every team its namespace, both Secrets, a template and a warm pool per harness, quota and limits', () => {
    for (const team of run.spec.teams) {
      const chart = { type: 'paddock:kubernetes:Chart', name: `team-${team.name}` };
      const inChart = run.plan.resources.filter((r) => r.parent?.type === chart.type && r.parent.name === chart.name);
      const names = inChart.map((r) => `${r.type.split(':').at(-1)} ${r.name}`);
      expect(names).toContain(`Namespace ${team.namespace}`);
      expect(names).toContain(`Secret ${team.namespace}/${CONTAINER_ENV_SECRET}`);
      expect(names).toContain(`Secret ${team.namespace}/${TEAM_SECRETS_SECRET}`);
      expect(names).toContain(`ResourceQuota ${team.namespace}/paddock-team-quota`);
      expect(names).toContain(`LimitRange ${team.namespace}/paddock-team-limits`);
      expect(names).toContain(`NetworkPolicy ${team.namespace}/default-deny-all`);
      for (const harness of team.harnesses) {
        expect(names).toContain(`SandboxTemplate ${team.namespace}/${harness.name}`);
        expect(names).toContain(`SandboxWarmPool ${team.namespace}/${harness.name}`);
      }
    }
  });

  it('applies through one kubernetes provider with server-side apply, waiting for the CNI and images first', () => {
    const provider = one(run.plan, 'pulumi:providers:kubernetes', 'kind');
    expect(provider.inputs.enableServerSideApply).toBe('true');
    const crd = run.plan.resources.find((r) => r.type.endsWith(':CustomResourceDefinition'))!;
    const waitsFor = crd.options!.dependsOn.map((d) => `${d.type} ${d.name}`);
    expect(waitsFor).toContain(`kubernetes:yaml/v2:ConfigGroup calico-${CALICO_VERSION}`);
    for (const image of locallyBuiltImages(run.spec)) expect(waitsFor.some((w) => w.startsWith(COMMAND) && w.includes(image.split('/').at(-1)!.replace(':', '-')))).toBe(true);
  });
});

describe('stack local: kind cluster', () => {
  it('creates the cluster or reuses only its own, deletes only its own on destroy, and replaces it (old one first) when its config changes', () => {
    const cluster = one(run.plan, COMMAND, 'kind-cluster');
    expect(cluster.inputs.create).toBe(KIND_CREATE);
    expect(cluster.inputs.delete).toBe(KIND_DELETE);
    const configSha256 = createHash('sha256').update(String(cluster.inputs.stdin)).digest('hex');
    expect(cluster.inputs.environment).toEqual({ PADDOCK_KIND_CLUSTER: run.spec.platform.clusterName, PADDOCK_STACK: 'local', PADDOCK_KIND_CONFIG_SHA256: configSha256 });
    expect(cluster.inputs.triggers).toEqual([cluster.inputs.stdin]);
    expect(cluster.options?.deleteBeforeReplace).toBe(true);
  });

  it('pins the node image by digest to the kindest/node of the EKS default\'s minor (1.35), disables kindnet and uses the NetworkPolicy ranges', () => {
    const config = String(one(run.plan, COMMAND, 'kind-cluster').inputs.stdin);
    expect(config).toMatch(/image: kindest\/node:v1\.35\.\d+@sha256:[0-9a-f]{64}\n/);
    expect(config).toContain('disableDefaultCNI: true');
    expect(config).toContain(`podSubnet: ${run.spec.platform.network.podCidr}`);
    expect(config).toContain(`serviceSubnet: ${run.spec.platform.network.serviceCidr}`);
  });

  it('installs Calico from a pinned release manifest whose sha256 is checked first, after its images are loaded', () => {
    const fetch = one(run.plan, COMMAND, `calico-manifest-${CALICO_VERSION}`);
    expect(fetch.inputs.create).toBe(CALICO_FETCH);
    expect(fetch.inputs.environment).toEqual({ PADDOCK_CALICO_URL: `https://raw.githubusercontent.com/projectcalico/calico/${CALICO_VERSION}/manifests/calico.yaml`, PADDOCK_CALICO_SHA256: CALICO.sha256 });
    expect(fetch.inputs.logging).toBe('stderr');
    const calico = one(run.plan, 'kubernetes:yaml/v2:ConfigGroup', `calico-${CALICO_VERSION}`);
    const waitsFor = calico.options!.dependsOn.map((d) => d.name);
    for (const image of CALICO.images) expect(waitsFor).toContain(`load-${imageResourceName(image)}`);
    expect(CALICO_VERSION).toMatch(/^v3\.\d+\.\d+$/);
  });

  it('reads the kubeconfig as a secret, keeping it out of the logs', () => {
    const kubeconfig = one(run.plan, COMMAND, 'kubeconfig');
    expect(kubeconfig.inputs.logging).toBe('stderr');
    expect(kubeconfig.options?.additionalSecretOutputs).toEqual(['stdout']);
    expect(isSecretValue(one(run.plan, 'pulumi:providers:kubernetes', 'kind').inputs.kubeconfig)).toBe(true);
    expect(run.plan.outputs.find((o) => o.name === 'kubeconfig')?.secret).toBe(true);
  });

  it('loads every image the stack runs into the nodes: the locally built ones, and Calico, agent-sandbox and Postgres pulled once', () => {
    const loads = ofType(run.plan, COMMAND).filter((c) => c.name.startsWith('load-'));
    const env = (l: (typeof loads)[number]) => l.inputs.environment as Record<string, string>;
    const loaded = new Map(loads.map((l) => [env(l).PADDOCK_IMAGE, env(l).PADDOCK_IMAGE_SOURCE]));
    for (const image of locallyBuiltImages(run.spec)) expect(loaded.get(image), image).toBe('local');
    for (const image of CALICO.images) expect(loaded.get(image), image).toBe('registry');
    const rendered = readdirSync('manifests/local').flatMap((f) => [...readFileSync(join('manifests/local', f), 'utf8').matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]!));
    for (const image of rendered) expect(loaded.has(image), `${image} (manifests/local) is loaded`).toBe(true);
    expect(loaded.size).toBe(new Set([...rendered, ...CALICO.images]).size);
    for (const load of loads) {
      expect(load.inputs.create).toBe(KIND_LOAD_IMAGE);
      expect(load.inputs.triggers).toContain(env(load).PADDOCK_IMAGE);
    }
  });
});

describe('stack local: applied objects', () => {
  it('applies exactly the objects of manifests/local/, with the same content', () => {
    expectAppliedObjectsMatchManifests(run, 'local');
  });

  it('applies a custom resource only after its CustomResourceDefinition', () => {
    const warmPool = run.plan.resources.find((r) => r.type.endsWith(':SandboxWarmPool'))!;
    expect(warmPool.options!.dependsOn.map((d) => d.name)).toContain('sandboxwarmpools.extensions.agents.x-k8s.io');
  });

  it('creates a namespace\'s Secrets after the namespace and before its workloads', () => {
    const database = one(run.plan, SECRET, `${PADDOCK_SYSTEM_NAMESPACE}/${DATABASE_SECRET}`);
    expect(database.options!.dependsOn).toEqual([{ type: 'kubernetes:core/v1:Namespace', name: PADDOCK_SYSTEM_NAMESPACE }]);
    const runtime = one(run.plan, 'kubernetes:apps/v1:Deployment', `${PADDOCK_SYSTEM_NAMESPACE}/paddock-runtime`);
    const runtimeWaits = runtime.options!.dependsOn.map((d) => d.name);
    for (const name of [DATABASE_SECRET, POSTGRES_SECRET, API_TOKENS_SECRET]) expect(runtimeWaits).toContain(`${PADDOCK_SYSTEM_NAMESPACE}/${name}`);
    expect(keyOf({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'y' } })).toBe('v1/Secret:y/x');
  });
});

describe('stack local: secrets', () => {
  it('puts every CONTAINER_ENV_ variable, prefix stripped, into paddock-container-env of every team namespace', () => {
    const expected = run.containerEnv;
    expect(Object.keys(expected)).toContain('SHARED_TOKEN');
    expect(expected.SHARED_TOKEN).toBe(FIXTURE_DOTENV_SECRET);
    expect(Object.keys(expected)).not.toContain('NOT_FOR_SANDBOXES');
    for (const team of run.spec.teams) {
      expect(secretData(one(run.plan, SECRET, `${team.namespace}/${CONTAINER_ENV_SECRET}`))).toEqual(expected);
    }
  });

  it('puts each team\'s secrets into its own namespace only', () => {
    for (const team of run.spec.teams) {
      const data = secretData(one(run.plan, SECRET, `${team.namespace}/${TEAM_SECRETS_SECRET}`));
      expect(data).toEqual(run.teamSecrets[team.name]);
      for (const other of run.spec.teams.filter((t) => t.name !== team.name)) {
        const otherData = JSON.stringify(secretData(one(run.plan, SECRET, `${other.namespace}/${TEAM_SECRETS_SECRET}`)));
        for (const value of Object.values(data)) expect(otherData).not.toContain(value);
      }
    }
  });

  it('delivers one generated Postgres password as the auth Secret and inside DATABASE_URL', () => {
    const password = secretData(one(run.plan, SECRET, `${PADDOCK_SYSTEM_NAMESPACE}/${POSTGRES_SECRET}`)).password!;
    expect(password).toContain(MOCK_SECRET_MARKER);
    const url = new URL(secretData(one(run.plan, SECRET, `${PADDOCK_SYSTEM_NAMESPACE}/${DATABASE_SECRET}`)).url!);
    expect(decodeURIComponent(url.password)).toBe(password);
    expect(url.host).toBe('paddock-postgres.paddock-system.svc.cluster.local:5432');
    expect(url.pathname).toBe('/paddock');
    expect(one(run.plan, 'random:index/randomPassword:RandomPassword', 'postgres-password').inputs.special).toBe(false);
  });

  it('stores the sha256 of each API token for the runtime, and exports the tokens as secret outputs', () => {
    const hashes = secretData(one(run.plan, SECRET, `${PADDOCK_SYSTEM_NAMESPACE}/${API_TOKENS_SECRET}`));
    expect(Object.keys(hashes).sort()).toEqual(['admin', ...run.spec.teams.map((t) => `team.${t.name}`)].sort());
    const admin = run.plan.outputs.find((o) => o.name === 'adminApiToken')!;
    expect(admin.secret).toBe(true);
    expect(hashes.admin).toBe(tokenHash(String(admin.value)));
    for (const team of run.spec.teams) {
      const output = run.plan.outputs.find((o) => o.name === `teamApiToken-${team.name}`)!;
      expect(output.secret).toBe(true);
      expect(hashes[`team.${team.name}`]).toBe(tokenHash(String(output.value)));
      expect(hashes[`team.${team.name}`]).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('marks every program-made Secret with where its values come from', () => {
    for (const secret of ofType(run.plan, SECRET)) {
      expect((secret.inputs.metadata as { annotations: Record<string, string> }).annotations[MANAGED_SECRET_ANNOTATION]).toMatch(/^Pulumi: /);
    }
  });

  it('keeps every secret value out of manifests, non-secret inputs, outputs and the plan text', () => {
    expectNoSecretOutsideSecrets(run);
    const manifests = committedText('local');
    expect(manifests).not.toMatch(/^kind: Secret$/m);
    for (const needle of [FIXTURE_DOTENV_SECRET, FIXTURE_TEAM_SECRET_PREFIX, MOCK_SECRET_MARKER]) expect(manifests).not.toContain(needle);
    const report = formatPlanReport(run.plan, { spec: run.spec, stackFile: 'stacks/Pulumi.local.yaml', envFile: '.env', containerEnvNames: Object.keys(run.containerEnv), missingTeamSecrets: [], encryptedValues: 0, showInputs: true, today: PROGRAM_DAY });
    for (const needle of [FIXTURE_DOTENV_SECRET, FIXTURE_TEAM_SECRET_PREFIX, MOCK_SECRET_MARKER]) expect(report).not.toContain(needle);
    expect(report).toContain('[secret]');
  });
});
