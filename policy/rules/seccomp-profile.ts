import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf } from '../workload/pod-sites.ts';
import { effectiveSetting } from '../workload/security-context.ts';

export const seccompProfile = podRule(
  { id: 'seccomp-profile', description: 'Every container runs under seccomp profile RuntimeDefault or Localhost (pod or container securityContext), never Unconfined.' },
  function* (site) {
    for (const container of containersOf(site)) {
      const setting = effectiveSetting(site, container, 'seccompProfile');
      const type = setting.value?.type;
      if (type === 'RuntimeDefault') continue;
      if (type === 'Localhost' && setting.value?.localhostProfile) continue;
      yield {
        path: setting.path,
        message:
          type === undefined
            ? `${containerName(container)} has no seccomp profile; set seccompProfile: {type: RuntimeDefault} in the pod securityContext`
            : type === 'Localhost'
              ? `${containerName(container)} uses seccomp type Localhost without localhostProfile; name the profile file or use RuntimeDefault`
              : `${containerName(container)} uses seccomp type ${type}; use RuntimeDefault (or a Localhost profile)`,
      };
    }
  },
);
