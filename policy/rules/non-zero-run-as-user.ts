import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf } from '../workload/pod-sites.ts';
import { effectiveSetting } from '../workload/security-context.ts';

export const nonZeroRunAsUser = podRule(
  {
    id: 'non-zero-run-as-user',
    description: 'Every container has an explicit, non-zero runAsUser (pod or container securityContext), rather than whatever USER the image declares.',
  },
  function* (site) {
    for (const container of containersOf(site)) {
      const setting = effectiveSetting(site, container, 'runAsUser');
      if (typeof setting.value === 'number' && setting.value > 0) continue;
      yield {
        path: setting.path,
        message:
          setting.value === undefined
            ? `${containerName(container)} runs as whatever user its image declares: runAsUser is set in neither the pod nor the container securityContext; set a non-zero UID (e.g. runAsUser: 10001)`
            : `${containerName(container)} has runAsUser: ${String(setting.value)}, which is root; use a non-zero UID (e.g. 10001)`,
      };
    }
  },
);
