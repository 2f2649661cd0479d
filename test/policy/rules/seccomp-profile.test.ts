import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'seccomp-profile';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a pod with no seccomp profile anywhere', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-alpha/codex', (o) => {
      delete o.spec.podTemplate.spec.securityContext.seccompProfile;
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'SandboxTemplate team-alpha/codex', path: 'spec.podTemplate.spec.securityContext.seccompProfile' }]);
  });

  it('flags a container that overrides the pod profile with Unconfined', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.containers[0].securityContext.seccompProfile = { type: 'Unconfined' };
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Deployment paddock-system/paddock-runtime', path: 'spec.template.spec.containers[0].securityContext.seccompProfile' }]);
    expect(found[0]!.message).toContain('Unconfined');
  });

  it('accepts a Localhost profile with a file, and flags one without', () => {
    const withFile = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/runtime.json' };
    });
    expect(violationsOf(RULE, withFile)).toEqual([]);
    const withoutFile = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.securityContext.seccompProfile = { type: 'Localhost' };
    });
    expect(where(violationsOf(RULE, withoutFile))).toEqual([{ rule: RULE, object: 'Deployment paddock-system/paddock-runtime', path: 'spec.template.spec.securityContext.seccompProfile' }]);
  });
});
