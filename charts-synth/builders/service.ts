/** A ClusterIP Service for one named TCP port of a component's pods. */
import type { KubeObject } from '../kube-object.ts';
import { selectorLabels } from './labels.ts';

export function clusterIpService(namespace: string, name: string, labels: Record<string, string>, port: { name: string; port: number }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { ...labels } },
    spec: { type: 'ClusterIP', selector: selectorLabels(name), ports: [{ name: port.name, port: port.port, targetPort: port.name, protocol: 'TCP' }] },
  };
}
