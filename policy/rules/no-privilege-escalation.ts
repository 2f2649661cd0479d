import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf } from '../workload/pod-sites.ts';

export const noPrivilegeEscalation = podRule(
  { id: 'no-privilege-escalation', description: 'Every container sets allowPrivilegeEscalation: false (no setuid binaries or file capabilities gaining privileges).' },
  function* (site) {
    for (const container of containersOf(site)) {
      const value = container.container.securityContext?.allowPrivilegeEscalation;
      if (value === false) continue;
      yield {
        path: `${container.path}.securityContext.allowPrivilegeEscalation`,
        message: `${containerName(container)} ${value === true ? 'sets allowPrivilegeEscalation: true' : 'does not set allowPrivilegeEscalation (it defaults to true)'}; set allowPrivilegeEscalation: false in its securityContext`,
      };
    }
  },
);
