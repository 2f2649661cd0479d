import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf } from '../workload/pod-sites.ts';

export const readOnlyRootFilesystem = podRule(
  { id: 'read-only-root-filesystem', description: 'Every container has readOnlyRootFilesystem: true; writable paths are emptyDir or PVC mounts.' },
  function* (site) {
    for (const container of containersOf(site)) {
      if (container.container.securityContext?.readOnlyRootFilesystem === true) continue;
      yield {
        path: `${container.path}.securityContext.readOnlyRootFilesystem`,
        message: `${containerName(container)} can write to its root filesystem; set readOnlyRootFilesystem: true and mount an emptyDir (or PVC) at each path it must write`,
      };
    }
  },
);
