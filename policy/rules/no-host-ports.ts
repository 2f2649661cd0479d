import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf, listOf } from '../workload/pod-sites.ts';

export const noHostPorts = podRule(
  { id: 'no-host-ports', description: "No container binds a port on the node (hostPort); expose it through a Service." },
  function* (site) {
    for (const container of containersOf(site)) {
      for (const [index, port] of listOf(container.container.ports).entries()) {
        if (!port.hostPort) continue;
        yield {
          path: `${container.path}.ports[${index}].hostPort`,
          message: `${containerName(container)} binds port ${port.hostPort} on the node; remove hostPort and reach the container through a Service`,
        };
      }
    }
  },
);
