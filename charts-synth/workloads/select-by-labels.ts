/**
 * Explicit pod selection for cdk8s-plus workloads. cdk8s-plus derives a selector label
 * (`cdk8s.io/metadata.addr`) from the construct path unless a workload is built with
 * `select: false`, and it labels the pod template with that address either way. Paddock
 * selects by labels from config/names.ts only: stable when code moves, and the same labels
 * Services, NetworkPolicies, spread constraints and PDBs select by (ADR 0022).
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';

/** RFC 6901: `~` and `/` in a key are escaped in a JSON pointer. */
export function jsonPointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Selects the workload's pods by `labels` (which the pod template carries) and nothing else.
 * Throws when the workload was built without `select: false` or its pods lack a label.
 */
export function selectPodsByLabels(workload: kplus.Workload, labels: Readonly<Record<string, string>>): void {
  const where = `${workload.kind} ${workload.metadata.namespace ?? ''}/${workload.name}`;
  if (kplus.Pod.ADDRESS_LABEL in workload.matchLabels) throw new Error(`${where}: build it with select: false; it selects by ${kplus.Pod.ADDRESS_LABEL}`);
  if (Object.keys(labels).length === 0) throw new Error(`${where}: needs at least one selector label`);
  for (const [key, value] of Object.entries(labels)) {
    const podValue = workload.podMetadata.getLabel(key);
    if (podValue !== value) throw new Error(`${where}: selects ${key}=${value}, but its pod template has ${podValue === undefined ? 'no such label' : `${key}=${podValue}`}`);
  }
  workload.select(kplus.LabelSelector.of({ labels: { ...labels } }));
  const address = jsonPointerToken(kplus.Pod.ADDRESS_LABEL);
  ApiObject.of(workload).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${address}`));
  if (workload instanceof kplus.StatefulSet) {
    // A StatefulSet makes its governing Service select its pods by their address label too.
    const service = workload.service;
    for (const [key, value] of Object.entries(labels)) service.selectLabel(key, value);
    ApiObject.of(service).addJsonPatch(JsonPatch.remove(`/spec/selector/${address}`));
  }
}
