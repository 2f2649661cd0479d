/**
 * The text `paddock plan` prints, pure: an honest header, the resources as a tree by parent,
 * counts per type, the stack outputs, the Secrets with their keys, each team's sandbox
 * environment sources, and what still has to be done before `pulumi up`. A secret value is
 * never printed: anything the program marked secret shows as [secret].
 */
import { stringify } from 'yaml';
import { effectiveSandboxEnv } from '../../config/container-env.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { checksumCommand, type GvisorDownload } from '../aws/gvisor-release.ts';
import { setSecretCommand } from '../inputs/team-secrets.ts';
import { setGatewaySecretCommand } from '../inputs/gateway-secrets.ts';
import { isSecretValue } from './mocks.ts';
import { networkSecuritySummary } from './network-security-summary.ts';
import { reachabilitySummary } from './reachability-summary.ts';
import { STACK_TYPE, type OfflinePlan, type PlannedResource } from './offline-plan.ts';
import { versionSummary } from './version-summary.ts';
import { compareText } from '../../config/compare.ts';

export const SECRET_MARK = '[secret]';

export interface PlanReportContext {
  readonly spec: PlatformSpec;
  readonly stackFile: string;
  readonly envFile: string;
  readonly containerEnvNames: readonly string[];
  readonly missingTeamSecrets: readonly { readonly team: string; readonly name: string }[];
  /** provider keys of the in-cluster gateway without a value */
  readonly missingGatewaySecrets?: readonly string[];
  readonly encryptedValues: number;
  readonly showInputs: boolean;
  /** the day the versions were checked on (the plan's clock) */
  readonly today: Date;
  /** a gVisor release without pinned checksums: `pulumi up` refuses it */
  readonly unverifiedGvisorRelease?: GvisorDownload;
}

/** Inputs with every secret replaced by [secret]. */
export function redactSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return SECRET_MARK;
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
  return value;
}

const REMOTE_NOTE = '(remote component: its provider creates the resources inside at `pulumi up`)';

function isRemoteComponent(r: PlannedResource): boolean {
  return !r.custom && r.type !== STACK_TYPE && !r.type.startsWith('paddock:');
}

/** Keys of a Secret resource's data, and whether every value is a Pulumi secret. */
export function secretKeys(r: PlannedResource): { keys: string[]; allSecret: boolean } | undefined {
  if (r.type !== 'kubernetes:core/v1:Secret') return undefined;
  const data = r.inputs.stringData ?? r.inputs.data;
  if (data === undefined) return { keys: [], allSecret: true };
  if (isSecretValue(data)) return { keys: Object.keys((data.value ?? {}) as object).sort(), allSecret: true };
  const entries = Object.entries(data as Record<string, unknown>);
  return { keys: entries.map(([k]) => k).sort(), allSecret: entries.every(([, v]) => isSecretValue(v)) };
}

function header(plan: OfflinePlan, context: PlanReportContext): string[] {
  const p = context.spec.platform;
  return [
    `Paddock plan: stack "${plan.stack}" (${p.environment}, cluster "${p.clusterName}") from ${context.stackFile}`,
    '',
    '  This is an offline, mock-based plan, not a cloud diff. The Pulumi program (infra/) ran in this',
    '  process under pulumi.runtime.setMocks with the stack\'s config: no cloud account, cluster or',
    `  Pulumi backend was contacted. It lists what \`pulumi up -s ${plan.stack}\` registers on an empty stack.`,
    `  It cannot see what is already deployed: \`pulumi preview -s ${plan.stack}\` shows the real diff.`,
    '  IDs, ARNs, addresses and kubeconfigs are placeholders; remote components expand at `pulumi up`',
    '  into resources a plan cannot list. Secret values are never shown: they print as [secret].',
    '',
  ];
}

/** Stable order: charts by apply wave, everything else by type and name. */
function compareResources(a: PlannedResource, b: PlannedResource): number {
  const wave = (r: PlannedResource) => (typeof r.inputs.wave === 'number' ? r.inputs.wave : -1);
  return wave(a) - wave(b) || compareText(a.type, b.type) || compareText(a.name, b.name);
}

function tree(plan: OfflinePlan, context: PlanReportContext): string[] {
  const children = new Map<string, PlannedResource[]>();
  const keyOf = (type: string, name: string) => `${type}::${name}`;
  for (const r of plan.resources) {
    if (!r.parent) continue;
    const key = keyOf(r.parent.type, r.parent.name);
    children.set(key, [...(children.get(key) ?? []), r]);
  }
  for (const list of children.values()) list.sort(compareResources);
  const lines: string[] = [];
  const visit = (r: PlannedResource, depth: number) => {
    const indent = '  '.repeat(depth);
    let suffix = '';
    const secret = secretKeys(r);
    if (secret) suffix = `  keys: ${secret.keys.join(', ') || '(none)'} ${secret.allSecret ? SECRET_MARK : '(NOT SECRET)'}`;
    else if (isRemoteComponent(r)) suffix = `  ${REMOTE_NOTE}`;
    const count = children.get(keyOf(r.type, r.name))?.length;
    lines.push(`${indent}${r.type}  ${r.name}${suffix}${count && r.type.startsWith('paddock:') ? `  [${count}]` : ''}`);
    if (context.showInputs && r.custom) {
      const text = stringify(redactSecrets(r.inputs), { lineWidth: 0 }).trimEnd();
      for (const line of text.split('\n')) lines.push(`${indent}    | ${line}`);
    }
    for (const child of children.get(keyOf(r.type, r.name)) ?? []) visit(child, depth + 1);
  };
  const roots = plan.resources.filter((r) => r.type === STACK_TYPE);
  for (const root of roots) for (const child of children.get(keyOf(root.type, root.name)) ?? []) visit(child, 0);
  return lines;
}

function counts(plan: OfflinePlan): string[] {
  const resources = plan.resources.filter((r) => r.type !== STACK_TYPE);
  const byType = new Map<string, number>();
  for (const r of resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  const width = String(resources.length).length + 2;
  const custom = resources.filter((r) => r.custom).length;
  return [
    ...[...byType.entries()].sort(([a], [b]) => compareText(a, b)).map(([type, n]) => `${String(n).padStart(width)}  ${type}`),
    `${String(resources.length).padStart(width)}  total: ${custom} resources, ${resources.length - custom} components`,
  ];
}

function outputs(plan: OfflinePlan): string[] {
  const width = Math.max(...plan.outputs.map((o) => o.name.length));
  return plan.outputs
    .slice()
    .sort((a, b) => compareText(a.name, b.name))
    .map((o) => `  ${o.name.padEnd(width)}  ${o.secret ? SECRET_MARK : typeof o.value === 'string' ? o.value : JSON.stringify(o.value)}`);
}

function sandboxEnvironments(context: PlanReportContext): string[] {
  const lines: string[] = [];
  const containerEnv = Object.fromEntries(context.containerEnvNames.map((n) => [n, n]));
  for (const team of context.spec.teams) {
    const env = effectiveSandboxEnv({ containerEnv, teamSecrets: Object.fromEntries(team.secrets.map((n) => [n, n])), teamEnv: team.env });
    const by = (source: string) => Object.entries(env.sources).filter(([, s]) => s === source).map(([n]) => n);
    lines.push(`  ${team.namespace}: team env [${by('team-env').join(', ')}]; team secrets [${by('team-secret').join(', ')}]; CONTAINER_ENV_ [${by('container-env').join(', ')}]`);
    for (const o of env.overridden) lines.push(`    ${o.name}: the ${o.winner} value wins over ${o.shadowed.join(' and ')}`);
    // the model each harness asks the gateway for (teams[].harnesses[].model), set by the platform
    for (const h of team.harnesses) if (h.model !== undefined) lines.push(`    ${h.name} asks the gateway for model ${h.model} (${h.definition.modelEnv.join(', ')})`);
  }
  return lines;
}

export function formatPlanReport(plan: OfflinePlan, context: PlanReportContext): string {
  const secrets = plan.resources.filter((r) => secretKeys(r)).sort((a, b) => compareText(a.name, b.name));
  const todo = [
    ...context.missingTeamSecrets.map(({ team, name }) => `  - team "${team}" declares secret ${name} but it has no value (planned with a placeholder):\n      ${setSecretCommand(plan.stack, team, name)}`),
    ...(context.missingGatewaySecrets ?? []).map((name) => `  - the model gateway's provider key ${name} has no value (planned with a placeholder):\n      ${setGatewaySecretCommand(plan.stack, name)}`),
    ...(context.unverifiedGvisorRelease
      ? [`  - eks.gvisorNodeGroup.runsc.sha512 is not set: pin the checksums of gVisor ${context.unverifiedGvisorRelease.release} (${context.unverifiedGvisorRelease.arch}) in ${context.stackFile} (planned with placeholder checksums no download matches):\n      ${checksumCommand(context.unverifiedGvisorRelease)}`]
      : []),
    ...(context.encryptedValues > 0 ? [`  - ${context.encryptedValues} encrypted value(s) in the stack file were planned with placeholders (a plan never decrypts)`] : []),
  ];
  const sections = [
    ...header(plan, context),
    'Network security:',
    ...networkSecuritySummary(plan, context.spec),
    '',
    'Reachability:',
    ...reachabilitySummary(context.spec),
    '',
    'Versions:',
    ...versionSummary(context.spec.platform, context.today),
    '',
    `Resources, by parent:`,
    '',
    ...tree(plan, context),
    '',
    'Counts by type:',
    ...counts(plan),
    '',
    'Stack outputs:',
    ...outputs(plan),
    '',
    `Secrets created by the program (never rendered to manifests/):`,
    ...secrets.map((r) => `  ${r.name}  keys: ${secretKeys(r)!.keys.join(', ') || '(none)'}`),
    '',
    `Sandbox environment by team (precedence: team env > team secret > CONTAINER_ENV_ from ${context.envFile}):`,
    ...sandboxEnvironments(context),
    '',
    `Before \`pulumi up -s ${plan.stack}\`:`,
    ...(todo.length > 0 ? todo : ['  nothing: every declared team secret has a value']),
  ];
  return `${sections.join('\n')}\n`;
}
