/**
 * A ClusterIP Service for one named TCP port of a component's pods, as a cdk8s-plus Service:
 * it selects by the component's selector labels (never `cdk8s.io/metadata.addr`) and targets
 * the container port by name, so the Service follows the port if its number changes
 * (cdk8s-plus takes target ports by number; the name goes in as a JSON patch, ADR 0022).
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import type { Construct } from 'constructs';
import { PlatformChart } from '../platform-chart.ts';

export interface NamedServicePort {
  /** the container port's name, also the Service port's name */
  readonly name: string;
  readonly port: number;
}

export interface ClusterIpServiceProps {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** the pod labels the Service selects: the workload's selector labels */
  readonly selector: Readonly<Record<string, string>>;
  readonly port: NamedServicePort;
}

export function addClusterIpService(scope: Construct, props: ClusterIpServiceProps): kplus.Service {
  const service = new kplus.Service(scope, PlatformChart.constructIdOf('Service', props.namespace, props.name), {
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
    type: kplus.ServiceType.CLUSTER_IP,
    ports: [{ name: props.port.name, port: props.port.port, protocol: kplus.Protocol.TCP }],
  });
  for (const [key, value] of Object.entries(props.selector)) service.selectLabel(key, value);
  ApiObject.of(service).addJsonPatch(
    JsonPatch.add('/spec/ports/0/targetPort', kplus.k8s.IntOrString.fromString(props.port.name)),
    // cdk8s-plus renders `externalIPs: []`; a ClusterIP Service of ours never has any
    JsonPatch.remove('/spec/externalIPs'),
  );
  return service;
}
