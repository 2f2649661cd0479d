/**
 * Raw `paddock:*` config -> PlatformSpec, or a ConfigError listing every problem with its
 * file and path. Pure: the caller reads files; this only checks and resolves.
 */
import type { z } from 'zod';
import { parseCidr, cidrContains, cidrsOverlap } from './cidr.ts';
import { ConfigError, problemsFromZod, sortProblems, type ConfigProblem, type KnownKeysLookup } from './errors.ts';
import type { HarnessRegistry } from './harness-definition.ts';
import { reservedEnvReason, teamNamespace } from './names.ts';
import { GATEWAY_NAMESPACE, GATEWAY_POD_LABELS, GATEWAY_PORT, IN_CLUSTER_GATEWAY_URL, providerKeyReason } from './model-gateway.ts';
import type { ModelGatewaySpec, NetworkSpec, PlatformSettings, PlatformSpec, TeamGatewaySpec, TeamHarnessSpec, TeamSpec } from './platform-spec.ts';
import { checkEksReachability, checkModelGatewayHost } from './eks-reachability.ts';
import { checkRuntimeClasses } from './runtime-classes.ts';
import { quoted } from './primitives.ts';
import { compareQuantities, formatCpu, formatMemory, parseQuantity } from './quantity.ts';
import { defaultDatabase, defaultKind, paddockConfigSchema, platformSchema, teamSchema, egressRuleSchema, teamHarnessSchema } from './schema.ts';
import { compareText } from './compare.ts';

export interface ValidateOptions {
  /** shown in every message, e.g. "stacks/Pulumi.prod.yaml" */
  readonly file: string;
  readonly stack: string;
  readonly registry: HarnessRegistry;
}

/**
 * Everything of an EKS stack goes to paddock:platform.eks.region (the program's AWS provider is
 * built from it). A stack file that also sets aws:region to another region would have the CLI,
 * the default provider and the reader believe something else: one source of truth, or an error.
 */
export function checkAwsRegion(awsRegion: unknown, platform: PlatformSettings | undefined): ConfigProblem[] {
  if (awsRegion === undefined || !platform?.eks) return [];
  if (awsRegion === platform.eks.region) return [];
  return [{ path: ['aws:region'], message: `${quoted(awsRegion)} differs from paddock:platform.eks.region ${quoted(platform.eks.region)}, where Paddock creates everything; set both to the same region, or remove aws:region` }];
}

/** Ranges every sandbox is kept away from, whatever a team allows. */
export const METADATA_CIDR = '169.254.0.0/16';

const NETWORK_DEFAULTS: Record<'kind' | 'eks', (vpcCidr: string) => NetworkSpec> = {
  // kind's defaults: kubeadm pod/service ranges, and the docker network its nodes (and API server) live on
  kind: () => ({ podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodeCidr: '172.18.0.0/16' }),
  // EKS with the VPC CNI: pods take VPC addresses; the API server's ENIs are in the VPC too
  eks: (vpcCidr) => ({ podCidr: vpcCidr, serviceCidr: '172.20.0.0/16', nodeCidr: vpcCidr }),
};

const SECRET_LOOKING_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)/i;

function objectKeys(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** Known keys at a zod path, for "did you mean"; a best effort over the few nested objects. */
const knownKeys: KnownKeysLookup = (path) => {
  const names = path.filter((p): p is string => typeof p === 'string');
  const last = names.at(-1);
  if (path.length === 0) return objectKeys(paddockConfigSchema);
  if (names[0] === 'paddock:platform') {
    if (last === 'paddock:platform') return objectKeys(platformSchema);
    const field = (platformSchema.shape as Record<string, z.ZodType>)[last ?? ''];
    const inner = field ? unwrap(field) : undefined;
    return inner ? objectKeys(inner) : [];
  }
  if (names[0] === 'paddock:teams') {
    if (names.includes('harnesses')) return last === 'harnesses' ? objectKeys(teamHarnessSchema) : ['requests', 'limits', 'cpu', 'memory'];
    if (names.includes('egress')) return objectKeys(egressRuleSchema);
    if (last === 'quota') return ['cpu', 'memory', 'maxSandboxes'];
    return objectKeys(teamSchema);
  }
  return [];
};

function unwrap(schema: z.ZodType): z.ZodType | undefined {
  let current: unknown = schema;
  for (let i = 0; i < 5; i++) {
    const def = (current as { def?: { innerType?: unknown; in?: unknown } }).def;
    if ((current as { shape?: unknown }).shape) return current as z.ZodType;
    current = def?.innerType ?? def?.in;
    if (!current) return undefined;
  }
  return undefined;
}

export function validatePlatformConfig(raw: unknown, options: ValidateOptions): PlatformSpec {
  const parsed = paddockConfigSchema.safeParse(raw, { reportInput: true });
  const problems: ConfigProblem[] = parsed.success ? [] : problemsFromZod(parsed.error.issues, [], knownKeys);

  // Semantic checks run on every part that parsed, so one run reports every problem at once.
  const input = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const platformData = parsed.success ? parsed.data['paddock:platform'] : salvage(platformSchema, input['paddock:platform']);
  const platform = platformData ? resolvePlatform(platformData, problems, input['paddock:platform']) : undefined;
  const rawTeams = parsed.success ? parsed.data['paddock:teams'] : Array.isArray(input['paddock:teams']) ? input['paddock:teams'].map((t) => salvage(teamSchema, t, TEAM_PLACEHOLDERS)) : [];
  const teams = rawTeams.map((team, index) => (team ? resolveTeam(team, index, platform, options.registry, problems) : undefined));
  checkUniqueTeamNames(rawTeams, problems);
  problems.push(...checkAwsRegion(input['aws:region'], platform));

  if (problems.length > 0 || !parsed.success || !platform) throw new ConfigError(options.file, dedupe(sortProblems(problems)));
  const envFile = parsed.data['paddock:envFile'];
  return {
    stack: options.stack,
    platform,
    teams: teams.filter((t): t is TeamSpec => t !== undefined).sort((a, b) => compareText(a.name, b.name)),
    ...(envFile === undefined ? {} : { envFile }),
  };
}

/** Stand-ins for invalid required team fields, so the team's other checks still run. */
const TEAM_PLACEHOLDERS: Readonly<Record<string, unknown>> = { name: 'invalid-name' };

/**
 * Parses what can be parsed of a part that has schema errors (already reported), by dropping
 * the offending keys of mappings, so its semantic checks still run in the same pass.
 */
function salvage<S extends z.ZodType>(schema: S, value: unknown, placeholders: Readonly<Record<string, unknown>> = {}): z.output<S> | undefined {
  let candidate: unknown = structuredClone(value);
  for (let attempt = 0; attempt < 4; attempt++) {
    const result = schema.safeParse(candidate);
    if (result.success) return result.data;
    let removed = false;
    for (const issue of result.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const path of keys) {
        const key = path.length === 1 ? String(path[0]) : undefined;
        if (key !== undefined && key in placeholders && typeof candidate === 'object' && candidate !== null && (candidate as Record<string, unknown>)[key] !== placeholders[key]) {
          (candidate as Record<string, unknown>)[key] = placeholders[key];
          removed = true;
        } else removed = deleteAt(candidate, path) || removed;
      }
    }
    if (!removed) return undefined;
  }
  return undefined;
}

/** Deletes the value at `path` when its parent is a mapping (never shifts list indices). */
function deleteAt(root: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let parent: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;
    parent = (parent as Record<PropertyKey, unknown>)[key];
  }
  const last = path.at(-1)!;
  if (typeof parent !== 'object' || parent === null || Array.isArray(parent) || !(last in parent)) return false;
  delete (parent as Record<PropertyKey, unknown>)[last];
  return true;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${String(p.path.join('\u0000'))}\u0001${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type RawPlatform = z.output<typeof platformSchema>;
type RawTeam = z.output<typeof teamSchema>;
const P = 'paddock:platform';
const T = 'paddock:teams';

function resolvePlatform(raw: RawPlatform, problems: ConfigProblem[], rawInput?: unknown): PlatformSettings {
  const env = raw.environment;
  const expectedMode = env === 'kind' ? 'in-cluster' : 'external';
  const database = raw.database ?? defaultDatabase(env === 'kind' ? 'in-cluster' : 'external');
  if (database.mode !== expectedMode) {
    problems.push({ path: [P, 'database', 'mode'], message: `"${database.mode}" is not available with environment "${env}" (use "${expectedMode}": ${env === 'kind' ? 'Postgres runs in the cluster' : 'RDS PostgreSQL'})` });
  }
  if (env === 'eks' && !raw.eks) problems.push({ path: [P, 'eks'], message: 'is required when environment is "eks" (at least eks.region)' });
  if (env === 'kind' && raw.eks) problems.push({ path: [P, 'eks'], message: 'is only allowed when environment is "eks"' });
  if (env === 'eks' && raw.kind) problems.push({ path: [P, 'kind'], message: 'is only allowed when environment is "kind"' });

  const vpcCidr = raw.eks?.vpcCidr ?? '10.0.0.0/16';
  const network: NetworkSpec = { ...NETWORK_DEFAULTS[env](vpcCidr), ...raw.network };

  const rawGateway = typeof rawInput === 'object' && rawInput !== null ? (rawInput as Record<string, unknown>).modelGateway : undefined;
  const modelGatewaySpec = resolveModelGateway(raw.modelGateway, network, problems, rawGateway);
  problems.push(...checkRuntimeClasses(env, raw.runtimeClasses, raw.eks));
  if (env === 'eks' && raw.eks) problems.push(...checkEksReachability({ eks: raw.eks, network, modelGateway: modelGatewaySpec }), ...(modelGatewaySpec.deploy ? [] : checkModelGatewayHost(modelGatewaySpec)));

  return {
    environment: env,
    clusterName: raw.clusterName,
    agentSandbox: raw.agentSandbox,
    runtime: raw.runtime,
    monitoring: raw.monitoring,
    modelGateway: modelGatewaySpec,
    network,
    runtimeClasses: raw.runtimeClasses,
    database,
    ...(env === 'kind' ? { kind: raw.kind ?? defaultKind() } : {}),
    ...(raw.eks ? { eks: raw.eks } : {}),
  };
}

/** Keys of modelGateway that configure the gateway Paddock runs, and mean nothing for one it does not. */
const DEPLOY_ONLY_KEYS = ['image', 'replicas', 'resources'] as const;

function resolveModelGateway(raw: RawPlatform['modelGateway'], network: NetworkSpec, problems: ConfigProblem[], rawInput?: unknown): ModelGatewaySpec {
  const blocked = blockedRanges(network).map((text) => parseCidr(text)!);
  if (raw.deploy !== undefined) {
    raw.models.forEach((model, i) => {
      if (model.apiBase === undefined) return;
      const host = new URL(model.apiBase).hostname;
      const address = parseCidr(`${host}/32`);
      const inside = address && blocked.find((b) => cidrContains(b, address));
      if (inside) problems.push({ path: [P, 'modelGateway', 'models', i, 'apiBase'], message: `${quoted(model.apiBase)} is inside ${inside.text}, a cluster network or the metadata range the gateway never reaches` });
    });
    return {
      url: IN_CLUSTER_GATEWAY_URL,
      port: GATEWAY_PORT,
      inCluster: { namespace: GATEWAY_NAMESPACE, podSelector: { ...GATEWAY_POD_LABELS } },
      deploy: {
        kind: raw.deploy,
        image: raw.image,
        replicas: raw.replicas,
        resources: raw.resources,
        models: raw.models.map((m) => ({ name: m.name, model: m.model, ...(m.apiBase === undefined ? {} : { apiBase: m.apiBase }) })),
        providerSecrets: [...new Set(raw.providerSecrets)].sort(),
      },
    };
  }
  const given = typeof rawInput === 'object' && rawInput !== null ? Object.keys(rawInput) : [];
  for (const key of DEPLOY_ONLY_KEYS) {
    if (given.includes(key)) problems.push({ path: [P, 'modelGateway', key], message: 'is only used when Paddock runs the gateway ("deploy: litellm")' });
  }
  const url = raw.url ?? IN_CLUSTER_GATEWAY_URL; // the schema reported a missing url
  const gatewayUrl = new URL(url);
  const port = gatewayUrl.port ? Number(gatewayUrl.port) : gatewayUrl.protocol === 'https:' ? 443 : 80;
  // Sandboxes may reach the gateway ranges on the gateway port: they must not include the
  // cluster's own networks (API server, nodes, database) or the metadata endpoint.
  (raw.cidrs ?? []).forEach((text, i) => {
    const range = parseCidr(text)!;
    const overlap = blocked.find((b) => cidrsOverlap(range, b));
    if (overlap) {
      problems.push({ path: [P, 'modelGateway', 'cidrs', i], message: `${quoted(text)} overlaps ${overlap.text}, a cluster network or the metadata range that sandboxes may never reach; a gateway running in the cluster is configured with "inCluster"` });
    }
  });
  return {
    url,
    port,
    ...(raw.cidrs ? { cidrs: raw.cidrs } : {}),
    ...(raw.inCluster ? { inCluster: raw.inCluster } : {}),
  };
}

/** Ranges a team's egress may never open: cluster networks, and the cloud metadata endpoint. */
export function blockedRanges(network: NetworkSpec): string[] {
  return [...new Set([METADATA_CIDR, network.podCidr, network.serviceCidr, network.nodeCidr])].sort();
}

function resolveTeam(raw: RawTeam, index: number, platform: PlatformSettings | undefined, registry: HarnessRegistry, problems: ConfigProblem[]): TeamSpec | undefined {
  const at = (...path: PropertyKey[]) => [T, index, ...path];
  const harnesses: TeamHarnessSpec[] = [];
  const seen = new Set<string>();
  const known = [...registry.keys()].join(', ');
  raw.harnesses.forEach((h, i) => {
    const definition = registry.get(h.name);
    if (!definition) {
      problems.push({ path: at('harnesses', i, 'name'), message: `unknown harness ${quoted(h.name)} (known: ${known})` });
      return;
    }
    if (seen.has(h.name)) {
      problems.push({ path: at('harnesses', i, 'name'), message: `harness ${quoted(h.name)} is listed twice` });
      return;
    }
    seen.add(h.name);
    if (h.runtimeClassName && platform && !platform.runtimeClasses.includes(h.runtimeClassName)) {
      problems.push({ path: at('harnesses', i, 'runtimeClassName'), message: `${quoted(h.runtimeClassName)} is not among the cluster's runtime classes (paddock:platform.runtimeClasses: ${platform.runtimeClasses.length > 0 ? platform.runtimeClasses.join(', ') : 'none declared'})` });
    }
    const resources = h.resources ?? definition.resources;
    for (const key of ['cpu', 'memory'] as const) {
      const quota = raw.quota[key];
      if (compareQuantities(resources.limits[key], quota) > 0) {
        problems.push({ path: at('harnesses', i), message: `one ${quoted(h.name)} sandbox needs ${key} limit ${resources.limits[key]}, more than the team quota ${key} ${quota}` });
      }
    }
    harnesses.push({ name: h.name, warmPool: h.warmPool, resources, ...(h.runtimeClassName ? { runtimeClassName: h.runtimeClassName } : {}), definition });
  });

  // warm sandboxes are running pods: together they must fit in the quota
  const warm = harnesses.reduce(
    (acc, h) => ({
      count: acc.count + h.warmPool,
      cpu: acc.cpu + h.warmPool * parseQuantity(h.resources.limits.cpu),
      memory: acc.memory + h.warmPool * parseQuantity(h.resources.limits.memory),
    }),
    { count: 0, cpu: 0, memory: 0 },
  );
  if (warm.count > raw.quota.maxSandboxes) problems.push({ path: at('quota', 'maxSandboxes'), message: `the warm pools hold ${warm.count} sandboxes, more than maxSandboxes ${raw.quota.maxSandboxes}` });
  if (Math.round(warm.cpu * 1000) > Math.round(parseQuantity(raw.quota.cpu) * 1000)) problems.push({ path: at('quota', 'cpu'), message: `the warm pools need cpu ${formatCpu(warm.cpu)} (limits), more than the quota ${raw.quota.cpu}` });
  if (warm.memory > parseQuantity(raw.quota.memory)) problems.push({ path: at('quota', 'memory'), message: `the warm pools need memory ${formatMemory(warm.memory)} (limits), more than the quota ${raw.quota.memory}` });

  const gateway = resolveTeamGateway(raw, at, platform, problems);
  const harnessIndex = (name: string) => raw.harnesses.findIndex((h) => h.name === name);
  const withModels = harnesses.map((h) => {
    const i = harnessIndex(h.name);
    return resolveHarnessModel(h, raw.harnesses[i]!.model, raw, at('harnesses', i), platform, gateway, problems);
  });

  const gatewayEnv = new Set(harnesses.flatMap((h) => h.definition.modelGatewayEnv.map((e) => e.name)));
  const deployed = platform?.modelGateway.deploy !== undefined;
  // the platform sets a harness's model variables to its model, for every sandbox of that harness
  const modelEnv = new Map(withModels.flatMap((h) => (h.model === undefined ? [] : h.definition.modelEnv.map((name) => [name, h] as const))));
  // with the in-cluster gateway the platform sets the harness's key variables to the team's gateway key
  const gatewayKeyEnv = new Set(deployed ? harnesses.flatMap((h) => h.definition.modelGatewayKeyEnv) : []);
  const platformSet = (name: string): string | undefined =>
    reservedEnvReason(name) ??
    (gatewayEnv.has(name) ? `"${name}" is set by the platform to the model gateway URL` : undefined) ??
    (deployed ? providerKeyReason(name, raw.name) : undefined) ??
    (gatewayKeyEnv.has(name) ? `"${name}" is set by the platform to the team's model gateway key` : undefined) ??
    (modelEnv.has(name) ? `"${name}" is set by the platform to the model of harness "${modelEnv.get(name)!.name}" (its "model", ${quoted(modelEnv.get(name)!.model!)})` : undefined);
  for (const name of Object.keys(raw.env)) {
    const reserved = platformSet(name);
    if (reserved) problems.push({ path: at('env', name), message: reserved });
    else if (SECRET_LOOKING_NAME.test(name)) problems.push({ path: at('env', name), message: `"${name}" looks like a secret: list it under "secrets" and set its value with \`pulumi config set --secret --path 'paddock:teamSecrets.${raw.name}.${name}'\`` });
    if (raw.secrets.includes(name)) problems.push({ path: at('env', name), message: `"${name}" is declared both in env and in secrets` });
  }
  const seenSecrets = new Set<string>();
  raw.secrets.forEach((name, i) => {
    const reserved = platformSet(name);
    if (reserved) problems.push({ path: at('secrets', i), message: reserved });
    if (seenSecrets.has(name)) problems.push({ path: at('secrets', i), message: `secret "${name}" is listed twice` });
    seenSecrets.add(name);
  });

  const blocked = platform ? blockedRanges(platform.network) : [];
  const blockedCidrs = blocked.map((text) => parseCidr(text)!);
  raw.egress.forEach((rule, i) => {
    const range = parseCidr(rule.cidr)!;
    const inside = blockedCidrs.find((b) => cidrContains(b, range));
    if (inside) problems.push({ path: at('egress', i, 'cidr'), message: `${quoted(rule.cidr)} lies inside ${inside.text}, which sandboxes may never reach (cluster network or cloud metadata)` });
  });

  return {
    name: raw.name,
    namespace: teamNamespace(raw.name),
    harnesses: withModels.sort((a, b) => compareText(a.name, b.name)),
    quota: raw.quota,
    egress: raw.egress,
    env: Object.fromEntries(Object.entries(raw.env).sort(([a], [b]) => compareText(a, b))),
    secrets: [...new Set(raw.secrets)].sort(),
    ...(gateway ? { gateway } : {}),
  };
}

/**
 * The model a team harness asks the gateway for (set in its definition's modelEnv variables).
 * With the gateway Paddock runs it must be one the team's key allows; left out, the team's only
 * model, and with several the operator chooses (a CLI's own default would be refused by the key).
 * With a gateway Paddock does not run it is passed through as given.
 */
function resolveHarnessModel(
  harness: TeamHarnessSpec,
  given: string | undefined,
  raw: RawTeam,
  at: readonly PropertyKey[],
  platform: PlatformSettings | undefined,
  gateway: TeamGatewaySpec | undefined,
  problems: ConfigProblem[],
): TeamHarnessSpec {
  const where = `team "${raw.name}", harness "${harness.name}"`;
  if (harness.definition.modelEnv.length === 0) {
    if (given !== undefined) problems.push({ path: [...at, 'model'], message: `${where}: this harness names no model variables (modelEnv in harnesses/${harness.name}/harness.yaml), so a model has nothing to set; remove it` });
    return harness;
  }
  if (!platform?.modelGateway.deploy || !gateway) return given === undefined ? harness : { ...harness, model: given };
  const allowed = gateway.models;
  const allowedText = allowed.map((m) => quoted(m)).join(', ');
  const source = raw.models === undefined ? 'every model of paddock:platform.modelGateway.models, as the team names no "models"' : 'the team\'s "models"';
  if (given !== undefined) {
    if (!allowed.includes(given)) problems.push({ path: [...at, 'model'], message: `${where}: model ${quoted(given)} is not one the team's gateway key may use (${allowedText}: ${source})` });
    return { ...harness, model: given };
  }
  if (allowed.length === 1) return { ...harness, model: allowed[0]! };
  if (allowed.length > 1) {
    problems.push({
      path: at,
      message: `${where}: choose the model the agent asks the gateway for with "model" (one of ${allowedText}: ${source}); its CLI's own default model would be refused by the team's gateway key`,
    });
  }
  return harness;
}

/** What the team's gateway key may use; only with the gateway Paddock runs. */
function resolveTeamGateway(raw: RawTeam, at: (...path: PropertyKey[]) => PropertyKey[], platform: PlatformSettings | undefined, problems: ConfigProblem[]): TeamGatewaySpec | undefined {
  const deploy = platform?.modelGateway.deploy;
  if (!deploy) {
    if (platform) {
      for (const key of ['models', 'budget', 'rpm', 'tpm'] as const) {
        if (raw[key] !== undefined) problems.push({ path: at(key), message: 'is only enforced by the gateway Paddock runs (paddock:platform.modelGateway.deploy: litellm); set limits for this team in your own gateway' });
      }
    }
    return undefined;
  }
  const known = deploy.models.map((m) => m.name);
  (raw.models ?? []).forEach((name, i) => {
    if (!known.includes(name)) problems.push({ path: at('models', i), message: `unknown model ${quoted(name)}: the gateway serves ${known.map((k) => quoted(k)).join(', ')} (paddock:platform.modelGateway.models)` });
    else if (raw.models!.indexOf(name) !== i) problems.push({ path: at('models', i), message: `model ${quoted(name)} is listed twice` });
  });
  return {
    models: [...new Set(raw.models ?? known)].filter((m) => known.includes(m)).sort(compareText),
    ...(raw.budget ? { budget: raw.budget } : {}),
    ...(raw.rpm === undefined ? {} : { rpm: raw.rpm }),
    ...(raw.tpm === undefined ? {} : { tpm: raw.tpm }),
  };
}

function checkUniqueTeamNames(teams: readonly (RawTeam | undefined)[], problems: ConfigProblem[]): void {
  const first = new Map<string, number>();
  teams.forEach((team, index) => {
    if (!team || team.name === TEAM_PLACEHOLDERS.name) return;
    const previous = first.get(team.name);
    if (previous === undefined) first.set(team.name, index);
    else problems.push({ path: [T, index, 'name'], message: `duplicate team name ${quoted(team.name)} (first used by paddock:teams[${previous}])` });
  });
}
