import { describe, expect, it } from 'vitest';
import { containersOf, podSiteOf } from '../../../policy/workload/pod-sites.ts';
import { effectiveSetting } from '../../../policy/workload/security-context.ts';
import { workload } from '../fixtures/stack.ts';

describe('effectiveSetting', () => {
  it('prefers the container, then the pod, and says where to set an unset value', () => {
    const object = workload('Deployment', 'ns', 'w');
    const site = podSiteOf(object)!;
    const container = containersOf(site)[0]!;
    expect(effectiveSetting(site, container, 'runAsUser')).toEqual({ value: 10001, path: 'spec.template.spec.securityContext.runAsUser', level: 'pod' });
    (container.container.securityContext as { runAsUser?: number }).runAsUser = 2000;
    expect(effectiveSetting(site, container, 'runAsUser')).toEqual({ value: 2000, path: 'spec.template.spec.containers[0].securityContext.runAsUser', level: 'container' });
    expect(effectiveSetting(site, container, 'seLinuxOptions')).toEqual({ value: undefined, path: 'spec.template.spec.securityContext.seLinuxOptions', level: 'unset' });
  });
});
