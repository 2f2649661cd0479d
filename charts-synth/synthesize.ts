/**
 * PlatformSpec -> the stack's charts, in apply order. Pure and deterministic: the same spec
 * gives byte-identical output on any machine. `paddock synth` renders these to
 * manifests/<stack>/ and the Pulumi program applies the very same objects.
 */
import type { PlatformSpec } from '../config/platform-spec.ts';
import { addAgentSandboxController } from './charts/agent-sandbox-controller.ts';
import { eksSystemObjects } from './charts/eks-system.ts';
import { addModelGateway } from './charts/model-gateway.ts';
import { monitoringObjects } from './charts/monitoring.ts';
import { paddockSystemObjects } from './charts/paddock-system.ts';
import { addPostgres } from './charts/postgres.ts';
import { addRuntimeController } from './charts/runtime-controller.ts';
import { teamObjects } from './charts/team.ts';
import { agentSandboxCrds } from './crds/index.ts';
import type { KubeObject } from './kube-object.ts';
import { sortObjects } from './object-order.ts';
import { synthChart, type ChartBody } from './platform-chart.ts';
import type { SynthesizedChart } from './synthesized-chart.ts';
import { compareText } from '../config/compare.ts';

/**
 * Apply order: a wave waits for the one before it. The runtime comes last: it is ready only once
 * its database is, and its config must never name a team whose namespace, RoleBinding, templates
 * and warm pools are not there yet (a removed team's objects go after the runtime forgot it).
 * The model gateway Paddock runs comes with it, once Postgres (its database) is ready; its
 * database Job runs in paddock-system, and the gateway's pods restart until their database exists.
 */
export const CHART_WAVES = { 'kube-system': 0, crds: 0, 'agent-sandbox': 1, 'paddock-system': 1, postgres: 2, team: 2, 'model-gateway': 3, runtime: 3, monitoring: 4 } as const;

/** Applied by the program with the EKS cluster, before its nodes (strict network-policy mode), not with the other charts. */
export const CLUSTER_BOOTSTRAP_CHART = 'kube-system';

function chart(name: string, wave: number, content: readonly KubeObject[] | ChartBody): SynthesizedChart {
  return { name, file: `${name}.k8s.yaml`, wave, objects: sortObjects(synthChart(name, content)) };
}

export function synthesizeStack(spec: PlatformSpec): SynthesizedChart[] {
  const charts = [
    chart('crds', CHART_WAVES.crds, agentSandboxCrds()),
    chart('agent-sandbox', CHART_WAVES['agent-sandbox'], (c) => addAgentSandboxController(c, spec)),
    chart('paddock-system', CHART_WAVES['paddock-system'], paddockSystemObjects()),
  ];
  const eksSystem = eksSystemObjects(spec);
  if (eksSystem.length > 0) charts.push(chart(CLUSTER_BOOTSTRAP_CHART, CHART_WAVES['kube-system'], eksSystem));
  if (spec.platform.database.mode === 'in-cluster') charts.push(chart('postgres', CHART_WAVES.postgres, (c) => addPostgres(c, spec)));
  if (spec.platform.modelGateway.deploy) charts.push(chart('model-gateway', CHART_WAVES['model-gateway'], (c) => addModelGateway(c, spec)));
  charts.push(chart('runtime', CHART_WAVES.runtime, (c) => addRuntimeController(c, spec)));
  // needs the Prometheus operator's CRDs, which the cluster's monitoring stack installs
  if (spec.platform.monitoring.enabled) charts.push(chart('monitoring', CHART_WAVES.monitoring, monitoringObjects(spec)));
  for (const team of spec.teams) charts.push(chart(`team-${team.name}`, CHART_WAVES.team, teamObjects(spec, team)));
  return charts;
}

/** Every object of the stack, in apply order. */
export function stackObjects(charts: readonly SynthesizedChart[]): KubeObject[] {
  return [...charts].sort((a, b) => a.wave - b.wave || compareText(a.name, b.name)).flatMap((c) => c.objects);
}
