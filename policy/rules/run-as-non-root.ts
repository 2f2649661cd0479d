import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf } from '../workload/pod-sites.ts';
import { effectiveSetting } from '../workload/security-context.ts';

export const runAsNonRoot = podRule(
  { id: 'run-as-non-root', description: 'Every container runs with runAsNonRoot: true (pod or container securityContext), so the kubelet refuses to start it as root.' },
  function* (site) {
    for (const container of containersOf(site)) {
      const setting = effectiveSetting(site, container, 'runAsNonRoot');
      if (setting.value === true) continue;
      yield {
        path: setting.path,
        message:
          setting.level === 'unset'
            ? `${containerName(container)} may run as root: runAsNonRoot is set in neither the pod nor the container securityContext; set runAsNonRoot: true in the pod securityContext`
            : `${containerName(container)} has runAsNonRoot: false; set it to true (the image must run as a non-root UID)`,
      };
    }
  },
);
