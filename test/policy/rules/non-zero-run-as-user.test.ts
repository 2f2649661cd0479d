import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'non-zero-run-as-user';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a container that runs as UID 0 even though the pod sets a non-zero UID', () => {
    const objects = withChange(base, 'Deployment', 'agent-sandbox-system/agent-sandbox-controller', (o) => {
      o.spec.template.spec.containers[0].securityContext.runAsUser = 0;
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Deployment agent-sandbox-system/agent-sandbox-controller', path: 'spec.template.spec.containers[0].securityContext.runAsUser' }]);
    expect(found[0]!.message).toContain('runAsUser: 0, which is root');
  });

  it('flags a pod that leaves the UID to the image', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-beta/claude-code', (o) => {
      delete o.spec.podTemplate.spec.securityContext.runAsUser;
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'SandboxTemplate team-beta/claude-code', path: 'spec.podTemplate.spec.securityContext.runAsUser' }]);
    expect(found[0]!.message).toContain('whatever user its image declares');
  });

  it('accepts a UID set on the container alone', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-beta/claude-code', (o) => {
      delete o.spec.podTemplate.spec.securityContext.runAsUser;
      o.spec.podTemplate.spec.containers[0].securityContext.runAsUser = 1000;
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
  });
});
