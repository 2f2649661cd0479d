import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf } from '../workload/pod-sites.ts';

export const noPrivileged = podRule(
  { id: 'no-privileged', description: 'No container is privileged (privileged: true gives it every device and capability of the node).' },
  function* (site) {
    for (const container of containersOf(site)) {
      if (container.container.securityContext?.privileged !== true) continue;
      yield { path: `${container.path}.securityContext.privileged`, message: `${containerName(container)} is privileged, which is root on the node; remove privileged: true` };
    }
  },
);
