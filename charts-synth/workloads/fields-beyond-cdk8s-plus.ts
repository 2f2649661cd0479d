/**
 * The fields of Paddock's workloads that cdk8s-plus-30 does not model, added to the rendered
 * object with cdk8s JSON patches (its documented escape hatch), each typed with the
 * kubernetes-models interface of the field. ADR 0022 lists why each one is here:
 * - resources: cdk8s-plus renders memory in Mi only (1Gi becomes 1024Mi) and cannot express
 *   decimal quantities (500M); stack-file quantities are rendered verbatim;
 * - pod seccompProfile, nodeSelector, topologySpreadConstraints, container
 *   terminationMessagePolicy, revisionHistoryLimit, StatefulSet volumeClaimTemplates and
 *   persistentVolumeClaimRetentionPolicy: not in cdk8s-plus-30's API;
 * - probe ports by name (cdk8s-plus takes numbers) and the mounts of claim-template volumes.
 * cdk8s applies the patches before its generated L1 class converts the object to Kubernetes
 * JSON, so quantities go in as `k8s.Quantity` (and a field the L1 type does not know is dropped).
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { ISeccompProfile } from 'kubernetes-models/v1/SeccompProfile';
import type { IStatefulSetSpec } from 'kubernetes-models/apps/v1/StatefulSetSpec';

type Quantities = Readonly<Record<string, string | number>>;
type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

export interface ContainerFields extends Pick<IContainer, 'terminationMessagePolicy'> {
  /** rendered verbatim from the stack file: the container's whole resources */
  readonly resources: { readonly requests?: Quantities; readonly limits?: Quantities };
  /** httpGet probes by port name (cdk8s-plus takes a number): the name of one of the container's ports */
  readonly probePortNames?: Partial<Record<ProbeKind, string>>;
  /** mounts of volumeClaimTemplates' volumes (no pod volume cdk8s-plus could mount), rendered first */
  readonly claimVolumeMounts?: readonly IVolumeMount[];
}

export interface PodFields extends Pick<IPodSpec, 'nodeSelector' | 'topologySpreadConstraints'> {
  /** spec.securityContext.seccompProfile (cdk8s-plus models it on containers only) */
  readonly seccompProfile?: ISeccompProfile;
}

export interface WorkloadFields {
  /** Deployment/StatefulSet spec fields */
  readonly spec?: Pick<IStatefulSetSpec, 'revisionHistoryLimit' | 'persistentVolumeClaimRetentionPolicy' | 'volumeClaimTemplates'>;
  readonly pod?: PodFields;
  /** by container name; every container of the workload must be listed (its resources are ours) */
  readonly containers: Readonly<Record<string, ContainerFields>>;
}

/** Requests/limits in the L1 form the generated converter reads (`Quantity.value`). */
function l1Quantities(quantities: Quantities | undefined): Record<string, kplus.k8s.Quantity> | undefined {
  if (!quantities) return undefined;
  return Object.fromEntries(Object.entries(quantities).map(([name, value]) => [name, typeof value === 'number' ? kplus.k8s.Quantity.fromNumber(value) : kplus.k8s.Quantity.fromString(value)]));
}

function l1Resources(resources: { readonly requests?: Quantities; readonly limits?: Quantities }): kplus.k8s.ResourceRequirements {
  return { requests: l1Quantities(resources.requests), limits: l1Quantities(resources.limits) };
}

function l1Spec(spec: NonNullable<WorkloadFields['spec']>): Record<string, unknown> {
  const { volumeClaimTemplates, ...rest } = structuredClone(spec);
  if (!volumeClaimTemplates) return rest;
  return {
    ...rest,
    volumeClaimTemplates: volumeClaimTemplates.map((claim) => ({
      ...claim,
      spec: claim.spec && { ...claim.spec, resources: claim.spec.resources && l1Resources(claim.spec.resources) },
    })),
  };
}

function definedEntries<T extends object>(fields: T | undefined): Array<[keyof T & string, NonNullable<T[keyof T]>]> {
  return Object.entries(fields ?? {}).filter(([, value]) => value !== undefined) as Array<[keyof T & string, NonNullable<T[keyof T]>]>;
}

/**
 * Adds `fields` to the workload's rendered object. Throws, naming the workload, for a
 * container it does not have or one left without fields.
 */
export function addFieldsBeyondCdk8sPlus(workload: kplus.Deployment | kplus.StatefulSet, fields: WorkloadFields): void {
  const where = `${workload.kind} ${workload.metadata.namespace ?? ''}/${workload.name}`;
  const names = workload.containers.map((c) => c.name);
  for (const name of Object.keys(fields.containers)) {
    if (!names.includes(name)) throw new Error(`${where}: has no container "${name}" (containers: ${names.join(', ')})`);
  }
  const patches: JsonPatch[] = [];
  // l1Spec and the spreads below copy: a caller's objects are never shared with the chart
  for (const [key, value] of definedEntries(fields.spec && l1Spec(fields.spec))) patches.push(JsonPatch.add(`/spec/${key}`, value));
  const { seccompProfile, ...podSpec } = fields.pod ?? {};
  for (const [key, value] of definedEntries(podSpec)) patches.push(JsonPatch.add(`/spec/template/spec/${key}`, structuredClone(value)));
  // cdk8s-plus always renders the pod securityContext (runAsNonRoot at least), so the parent exists
  if (seccompProfile) patches.push(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { ...seccompProfile }));
  names.forEach((name, index) => {
    const container = fields.containers[name];
    if (!container?.resources) throw new Error(`${where}: container "${name}" needs explicit resources`);
    const { resources, probePortNames, claimVolumeMounts, ...rest } = container;
    const base = `/spec/template/spec/containers/${index}`;
    patches.push(JsonPatch.add(`${base}/resources`, l1Resources(resources)));
    const portNames = workload.containers[index]!.ports.map((p) => p.name);
    for (const [probe, portName] of definedEntries(probePortNames)) {
      if (!portNames.includes(portName)) throw new Error(`${where}: container "${name}" ${probe} names port "${portName}", which it does not declare`);
      patches.push(JsonPatch.replace(`${base}/${probe}/httpGet/port`, kplus.k8s.IntOrString.fromString(portName)));
    }
    if (claimVolumeMounts?.length) {
      const claims = (fields.spec?.volumeClaimTemplates ?? []).map((c) => c.metadata?.name);
      const unknown = claimVolumeMounts.find((m) => !claims.includes(m.name));
      if (unknown) throw new Error(`${where}: container "${name}" mounts "${unknown.name}", which is no volumeClaimTemplate of it`);
      const mounts = workload.containers[index]!.mounts.length > 0 ? `${base}/volumeMounts` : undefined;
      if (mounts) [...claimVolumeMounts].reverse().forEach((m) => patches.push(JsonPatch.add(`${mounts}/0`, { ...m })));
      else patches.push(JsonPatch.add(`${base}/volumeMounts`, claimVolumeMounts.map((m) => ({ ...m }))));
    }
    for (const [key, value] of definedEntries(rest)) patches.push(JsonPatch.add(`${base}/${key}`, structuredClone(value)));
  });
  ApiObject.of(workload).addJsonPatch(...patches);
}
