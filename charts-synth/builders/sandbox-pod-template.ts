/**
 * The hardened pod template of a team's sandbox for one harness: restricted security
 * context, read-only root filesystem, no service account token, platform env first, the
 * team's env next, and the two Secrets by reference (container env, then team secrets, so a
 * team secret wins over a CONTAINER_ENV_ variable of the same name).
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { HarnessDefinition } from '../../config/harness-definition.ts';
import { CONTAINER_ENV_SECRET, HARNESS_LABEL, SANDBOX_SERVICE_ACCOUNT, TEAM_LABEL, TEAM_SECRETS_SECRET } from '../../config/names.ts';
import type { ModelGatewaySpec, TeamHarnessSpec, TeamSpec } from '../../config/platform-spec.ts';
import { TEAM_GATEWAY_KEY_KEY, TEAM_GATEWAY_KEY_SECRET } from '../../config/model-gateway.ts';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security-context.ts';

export const HARNESS_CONTAINER = 'harness';
export const WORKSPACE_VOLUME = 'workspace';

function probe(definition: HarnessDefinition, which: 'readiness' | 'liveness'): IProbe {
  const p = definition.probes[which];
  return { httpGet: { path: p.path, port: 'harness' }, initialDelaySeconds: p.initialDelaySeconds, periodSeconds: p.periodSeconds, timeoutSeconds: p.timeoutSeconds, failureThreshold: p.failureThreshold };
}

function gatewayUrl(gateway: ModelGatewaySpec, path: string): string {
  return gateway.url.replace(/\/+$/, '') + path;
}

/** Env the platform sets; names are reserved, so team env can never shadow them. */
export function platformEnv(team: TeamSpec, harness: TeamHarnessSpec, gateway: ModelGatewaySpec): IEnvVar[] {
  const d = harness.definition;
  const home = d.writablePaths.find((w) => w.name === 'home')?.mountPath ?? '/tmp';
  return [
    { name: 'HOME', value: home },
    { name: 'PADDOCK_HARNESS', value: d.name },
    { name: 'PADDOCK_HARNESS_PORT', value: String(d.port) },
    { name: 'PADDOCK_MODEL_GATEWAY_URL', value: gateway.url },
    { name: 'PADDOCK_TEAM', value: team.name },
    { name: 'PADDOCK_WORKSPACE', value: d.workspace.mountPath },
    ...d.modelGatewayEnv.map((e) => ({ name: e.name, value: gatewayUrl(gateway, e.path) })),
    // the gateway Paddock runs: the team's own key, in the variables the harness reads its model API key from
    ...(gateway.deploy ? d.modelGatewayKeyEnv.map((name) => ({ name, valueFrom: { secretKeyRef: { name: TEAM_GATEWAY_KEY_SECRET, key: TEAM_GATEWAY_KEY_KEY } } })) : []),
    // the model the agent asks for, in every variable its CLI reads a model name from (a plain name, not a secret)
    ...(harness.model === undefined ? [] : d.modelEnv.map((name) => ({ name, value: harness.model }))),
  ];
}

export function sandboxPodTemplate(team: TeamSpec, harness: TeamHarnessSpec, gateway: ModelGatewaySpec): IPodTemplateSpec {
  const d = harness.definition;
  const container: IContainer = {
    name: HARNESS_CONTAINER,
    image: d.image,
    imagePullPolicy: 'IfNotPresent',
    command: [...d.command],
    ...(d.args.length > 0 ? { args: [...d.args] } : {}),
    ports: [{ name: 'harness', containerPort: d.port, protocol: 'TCP' }],
    env: [...platformEnv(team, harness, gateway), ...Object.entries(team.env).map(([name, value]) => ({ name, value }))],
    envFrom: [{ secretRef: { name: CONTAINER_ENV_SECRET, optional: false } }, { secretRef: { name: TEAM_SECRETS_SECRET, optional: false } }],
    resources: { requests: { ...harness.resources.requests }, limits: { ...harness.resources.limits } },
    readinessProbe: probe(d, 'readiness'),
    livenessProbe: probe(d, 'liveness'),
    securityContext: restrictedContainerSecurityContext(d.user),
    volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: d.workspace.mountPath }, ...d.writablePaths.map((w) => ({ name: w.name, mountPath: w.mountPath }))],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  return {
    metadata: { labels: { [HARNESS_LABEL]: d.name, [TEAM_LABEL]: team.name, 'app.kubernetes.io/name': 'paddock-sandbox', 'app.kubernetes.io/managed-by': 'paddock' } },
    spec: {
      serviceAccountName: SANDBOX_SERVICE_ACCOUNT,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(harness.runtimeClassName ? { runtimeClassName: harness.runtimeClassName } : {}),
      securityContext: restrictedPodSecurityContext(d.user),
      terminationGracePeriodSeconds: 30,
      containers: [container],
      volumes: d.writablePaths.map((w) => ({ name: w.name, emptyDir: { sizeLimit: w.sizeLimit } })),
    },
  };
}
