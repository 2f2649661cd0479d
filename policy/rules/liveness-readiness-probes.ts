import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf } from '../workload/pod-sites.ts';

export const livenessReadinessProbes = podRule(
  {
    id: 'liveness-readiness-probes',
    description:
      'Long-running containers (Deployments, StatefulSets, DaemonSets, ReplicaSets, restarting Pods, and the sandbox pods of SandboxTemplates and Sandboxes) have a livenessProbe and a readinessProbe; Jobs and plain init containers are exempt.',
  },
  function* (site) {
    if (!site.longRunning) return;
    for (const container of containersOf(site)) {
      if (container.init && !container.sidecar) continue;
      const missing = (['livenessProbe', 'readinessProbe'] as const).filter((p) => !container.container[p]);
      if (missing.length === 0) continue;
      yield {
        path: container.path,
        message: `${containerName(container)} has no ${missing.join(' or ')}; without them a wedged process keeps receiving traffic and is never restarted`,
      };
    }
  },
);
